//! Customer lists on both backends: each filter selects exactly the profiles it names, pages
//! continue without gaps or repeats in each order, labels follow merges and erasure, bulk changes
//! are audited per profile and refused to managers, saved views keep to their owners, and a list
//! export holds the list and nothing a spreadsheet would run.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use spine_core::lists::{BulkAction, CustomerFilter};
use spine_core::services::audit_log::{AuditSearch, search_audit};
use spine_core::services::customers::{ProfileUpdate, update_customer};
use spine_core::services::ingest::ingest_event;
use spine_core::services::lists::{
    BulkTarget, bulk_update, delete_view, export, export_download, export_status, list_customers,
    parse_filter, save_view, saved_views,
};
use spine_core::services::privacy::erase_customer;
use spine_core::types::{Channel, LifecycleStage, ListSort, Role};
use spine_core::{Actor, ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, merge, staff, tenant};

/// One stored person: what the tests filter them by.
struct Person {
    id: Uuid,
    name: &'static str,
}

/// Stores a person through an event on `channel`, `minutes` after the test's epoch.
async fn person(
    store: &Store,
    t: &Tenant,
    name: &'static str,
    email: &str,
    channel: Channel,
    minutes: i64,
    (source, campaign): (Option<&str>, Option<&str>),
) -> Person {
    let mut e = event(channel, minutes, ids(Some(email), None, name), "hello");
    e.source = source.map(str::to_owned);
    e.campaign = campaign.map(str::to_owned);
    let outcome = ingest_event(store, t, &SYSTEM, e).await.expect("ingest");
    Person {
        id: outcome.customer_id,
        name,
    }
}

async fn tag(store: &Store, t: &Tenant, id: Uuid, tags: &[&str], stage: LifecycleStage) {
    update_customer(
        store,
        t,
        &staff(Role::Agent),
        id,
        &ProfileUpdate {
            tags: Some(tags.iter().map(|s| (*s).to_owned()).collect()),
            lifecycle_stage: Some(stage),
            ..Default::default()
        },
    )
    .await
    .expect("tag");
}

/// The ids a list holds, every page read with `limit` per page.
async fn all_pages(store: &Store, t: &Tenant, filter: &CustomerFilter, limit: i64) -> Vec<Uuid> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = list_customers(store, t, filter, after, limit)
            .await
            .expect("list");
        out.extend(page.customers.iter().map(|c| c.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        assert!(out.len() < 1_000, "paging does not end");
    }
    out
}

async fn set_of(store: &Store, t: &Tenant, query: &str) -> BTreeSet<Uuid> {
    let filter = parse_filter(query).expect("filter");
    let ids = all_pages(store, t, &filter, 2).await;
    let set: BTreeSet<Uuid> = ids.iter().copied().collect();
    assert_eq!(set.len(), ids.len(), "{query}: a profile twice");
    let page = list_customers(store, t, &filter, None, 50)
        .await
        .expect("list");
    assert_eq!(page.total.n as usize, set.len(), "{query}: count");
    set
}

fn of(people: &[&Person]) -> BTreeSet<Uuid> {
    people.iter().map(|p| p.id).collect()
}

/// Six people with different stages, tags, sources, campaigns, channels and times.
async fn cast(store: &Store, t: &Tenant) -> [Person; 6] {
    let ana = person(
        store,
        t,
        "Ana Lopez",
        "ana@example.com",
        Channel::Whatsapp,
        10,
        (Some("shopify"), Some("spring")),
    )
    .await;
    let ben = person(
        store,
        t,
        "Ben Okafor",
        "ben@example.com",
        Channel::Email,
        20,
        (Some("webchat"), None),
    )
    .await;
    let cai = person(
        store,
        t,
        "Cai Wen",
        "cai@example.com",
        Channel::Sms,
        30,
        (Some("shopify"), Some("autumn")),
    )
    .await;
    let dee = person(
        store,
        t,
        "Dee Ramos",
        "dee@example.com",
        Channel::Email,
        40,
        (None, Some("spring")),
    )
    .await;
    let eli = person(
        store,
        t,
        "eli moss",
        "eli@example.com",
        Channel::Instagram,
        50,
        (None, None),
    )
    .await;
    let fay = person(
        store,
        t,
        "Fay Ito",
        "fay@example.com",
        Channel::Webchat,
        60,
        (Some("webchat"), None),
    )
    .await;
    tag(
        store,
        t,
        ana.id,
        &["vip", "wholesale"],
        LifecycleStage::Customer,
    )
    .await;
    tag(store, t, ben.id, &["vip"], LifecycleStage::Lead).await;
    tag(store, t, cai.id, &["wholesale"], LifecycleStage::Customer).await;
    tag(store, t, dee.id, &[], LifecycleStage::Churned).await;
    [ana, ben, cai, dee, eli, fay]
}

on_both!(
    each_filter_selects_exactly_what_it_names,
    |store: Store| async move {
        let t = tenant(&store).await;
        let [ana, ben, cai, dee, eli, fay] = cast(&store, &t).await;
        let everyone = of(&[&ana, &ben, &cai, &dee, &eli, &fay]);
        assert_eq!(set_of(&store, &t, "").await, everyone);
        assert_eq!(
            set_of(&store, &t, "stage=customer").await,
            of(&[&ana, &cai])
        );
        assert_eq!(
            set_of(&store, &t, "stage=lead&stage=churned").await,
            of(&[&ben, &dee])
        );
        assert_eq!(set_of(&store, &t, "tag=vip").await, of(&[&ana, &ben]));
        assert_eq!(
            set_of(&store, &t, "tag=vip&tag=wholesale").await,
            of(&[&ana, &ben, &cai])
        );
        assert_eq!(
            set_of(&store, &t, "tag=vip&tag=wholesale&tags=all").await,
            of(&[&ana])
        );
        assert_eq!(set_of(&store, &t, "tag=VIP").await, of(&[&ana, &ben]));
        assert_eq!(set_of(&store, &t, "tag=nobody").await, BTreeSet::new());
        assert_eq!(
            set_of(&store, &t, "source=shopify").await,
            of(&[&ana, &cai])
        );
        assert_eq!(
            set_of(&store, &t, "campaign=spring").await,
            of(&[&ana, &dee])
        );
        assert_eq!(set_of(&store, &t, "channel=email").await, of(&[&ben, &dee]));
        assert_eq!(
            set_of(&store, &t, "channel=sms&channel=instagram").await,
            of(&[&cai, &eli])
        );
        assert_eq!(
            set_of(&store, &t, "stage=customer&tag=vip").await,
            of(&[&ana])
        );
        // Times: the events happened at minutes 10..60 after the test's epoch (one day).
        let day = common::at(0).date_naive();
        let next = day.succ_opt().expect("a next day");
        assert_eq!(
            set_of(&store, &t, &format!("seen_from={day}")).await,
            everyone
        );
        assert_eq!(
            set_of(&store, &t, &format!("seen_from={next}")).await,
            BTreeSet::new()
        );
        assert_eq!(
            set_of(&store, &t, &format!("seen_to={day}")).await,
            everyone
        );
        let before = day.pred_opt().expect("a day before");
        assert_eq!(
            set_of(&store, &t, &format!("seen_to={before}")).await,
            BTreeSet::new()
        );
        // First seen is the profile's first event.
        assert_eq!(
            set_of(&store, &t, &format!("created_from={day}&created_to={day}")).await,
            everyone
        );
        assert_eq!(
            set_of(&store, &t, &format!("created_from={next}")).await,
            BTreeSet::new()
        );
        assert_eq!(
            set_of(
                &store,
                &t,
                &format!(
                    "created_to={}",
                    NaiveDate::from_ymd_opt(2001, 1, 1).expect("day")
                )
            )
            .await,
            BTreeSet::new()
        );
        // Open conversations: each first message opened one; resolving it leaves the list.
        assert_eq!(set_of(&store, &t, "open=1").await, everyone);
        // A search inside a list.
        assert_eq!(set_of(&store, &t, "q=ana+lopez&tag=vip").await, of(&[&ana]));
        assert_eq!(
            set_of(&store, &t, "q=ana+lopez&tag=wholesale&stage=lead").await,
            BTreeSet::new()
        );
    }
);

on_both!(
    pages_continue_without_gaps_or_repeats_in_every_order,
    |store: Store| async move {
        let t = tenant(&store).await;
        let people = cast(&store, &t).await;
        // Activity: newest first (the events were 10 minutes apart).
        let by_activity = all_pages(&store, &t, &CustomerFilter::default(), 1).await;
        let expected: Vec<Uuid> = people.iter().rev().map(|p| p.id).collect();
        assert_eq!(by_activity, expected);
        // Name: case does not matter.
        let by_name = CustomerFilter {
            sort: ListSort::Name,
            ..Default::default()
        };
        let names: Vec<&str> = all_pages(&store, &t, &by_name, 4)
            .await
            .iter()
            .map(|id| people.iter().find(|p| p.id == *id).expect("known").name)
            .collect();
        assert_eq!(
            names,
            [
                "Ana Lopez",
                "Ben Okafor",
                "Cai Wen",
                "Dee Ramos",
                "eli moss",
                "Fay Ito"
            ]
        );
        // Created: newest profile first, each once.
        let by_created = CustomerFilter {
            sort: ListSort::Created,
            ..Default::default()
        };
        let created = all_pages(&store, &t, &by_created, 5).await;
        assert_eq!(created.iter().collect::<BTreeSet<_>>().len(), people.len());
        assert_eq!(created.first(), Some(&people[5].id));
        // A page's answer says whether it continues.
        let first = list_customers(&store, &t, &CustomerFilter::default(), None, 6)
            .await
            .expect("list");
        assert_eq!(
            (first.customers.len(), first.next, first.continued),
            (6, None, false)
        );
    }
);

on_both!(
    labels_follow_merges_and_erasure,
    |store: Store| async move {
        let t = tenant(&store).await;
        let [ana, ben, _cai, dee, _eli, _fay] = cast(&store, &t).await;
        let admin = staff(Role::Admin);
        // Ben (vip, webchat, email) merged into Dee (churned, email): Dee holds both now.
        merge(&store, &t, &admin, dee.id, ben.id)
            .await
            .expect("merge");
        assert_eq!(set_of(&store, &t, "tag=vip").await, of(&[&ana, &dee]));
        assert!(set_of(&store, &t, "source=webchat").await.contains(&dee.id));
        assert!(
            !set_of(&store, &t, "").await.contains(&ben.id),
            "the absorbed profile is listed"
        );
        // Erased: gone from every list, labels too.
        erase_customer(&store, &t, &admin, ana.id)
            .await
            .expect("erase");
        assert_eq!(set_of(&store, &t, "tag=vip").await, of(&[&dee]));
        assert!(!set_of(&store, &t, "source=shopify").await.contains(&ana.id));
    }
);

on_both!(
    a_review_item_lists_its_subject_and_candidates,
    |store: Store| async move {
        let t = tenant(&store).await;
        let by_email = person(
            &store,
            &t,
            "Charlie Day",
            "charlie@example.com",
            Channel::Email,
            0,
            (None, None),
        )
        .await;
        let mut e = event(
            Channel::Sms,
            1,
            ids(None, Some("+14155550123"), "Charles Day"),
            "hi",
        );
        e.identifiers.email = None;
        let by_phone = ingest_event(&store, &t, &SYSTEM, e)
            .await
            .expect("phone")
            .customer_id;
        let mut both = event(
            Channel::Sms,
            2,
            ids(Some("charlie@example.com"), Some("+14155550123"), ""),
            "both",
        );
        both.identifiers.name = None;
        let outcome = ingest_event(&store, &t, &SYSTEM, both).await.expect("both");
        assert!(
            outcome.review_item_id.is_some(),
            "the conflict waits for review"
        );
        let waiting = set_of(&store, &t, "review=1").await;
        assert!(
            waiting.contains(&by_email.id) && waiting.contains(&by_phone),
            "{waiting:?}"
        );
        person(
            &store,
            &t,
            "Other Person",
            "other@example.com",
            Channel::Email,
            3,
            (None, None),
        )
        .await;
        assert_eq!(set_of(&store, &t, "review=1").await, waiting);
        // Decided: nobody waits on it any more.
        let item = outcome.review_item_id.expect("an item");
        spine_core::services::review::reject_review_item(&store, &t, &staff(Role::Admin), item)
            .await
            .expect("reject");
        assert!(set_of(&store, &t, "review=1").await.is_empty());
    }
);

on_both!(
    bulk_changes_are_audited_per_profile_and_refused_to_managers,
    |store: Store| async move {
        let t = tenant(&store).await;
        let [ana, ben, cai, ..] = cast(&store, &t).await;
        let agent = staff(Role::Agent);
        let vip = parse_filter("tag=vip").expect("filter");
        let outcome = bulk_update(
            &store,
            &t,
            &agent,
            &BulkTarget::List(vip.clone()),
            &BulkAction::AddTags {
                tags: vec!["Priority".into(), "vip".into()],
            },
        )
        .await
        .expect("bulk");
        assert_eq!((outcome.changed, outcome.unchanged), (2, 0));
        assert_eq!(set_of(&store, &t, "tag=priority").await, of(&[&ana, &ben]));
        // Again: nothing to change.
        let again = bulk_update(
            &store,
            &t,
            &agent,
            &BulkTarget::List(vip.clone()),
            &BulkAction::AddTags {
                tags: vec!["priority".into()],
            },
        )
        .await
        .expect("again");
        assert_eq!((again.changed, again.unchanged), (0, 2));
        // A selection: the stage of two ticked profiles.
        let set = bulk_update(
            &store,
            &t,
            &agent,
            &BulkTarget::Selected(vec![ben.id, cai.id, ben.id]),
            &BulkAction::SetStage {
                stage: LifecycleStage::Churned,
            },
        )
        .await
        .expect("stage");
        assert_eq!(set.changed, 2);
        assert_eq!(set_of(&store, &t, "stage=churned").await.len(), 3);
        let removed = bulk_update(
            &store,
            &t,
            &agent,
            &BulkTarget::Selected(vec![ana.id]),
            &BulkAction::RemoveTags {
                tags: vec!["wholesale".into()],
            },
        )
        .await
        .expect("remove");
        assert_eq!(removed.changed, 1);
        assert_eq!(set_of(&store, &t, "tag=wholesale").await, of(&[&cai]));
        // Each profile's history says what changed; the action has an entry of its own.
        let about_ana = search_audit(
            &store,
            &t,
            &AuditSearch {
                customer_id: Some(ana.id),
                ..Default::default()
            },
            0,
        )
        .await
        .expect("audit");
        let bulk_entries = about_ana
            .entries
            .iter()
            .filter(|e| {
                e.action == "customer.updated"
                    && e.after.as_ref().is_some_and(|a| a["bulk"] == true)
            })
            .count();
        assert_eq!(bulk_entries, 2, "add priority, remove wholesale");
        let actions = search_audit(
            &store,
            &t,
            &AuditSearch {
                action: Some("customers.bulk_updated".into()),
                ..Default::default()
            },
            0,
        )
        .await
        .expect("audit");
        assert_eq!(actions.entries.len(), 4);
        // Managers read lists; they do not change them. Nothing was written.
        let manager = staff(Role::Manager);
        let refused = bulk_update(
            &store,
            &t,
            &manager,
            &BulkTarget::List(CustomerFilter::default()),
            &BulkAction::AddTags {
                tags: vec!["x".into()],
            },
        )
        .await;
        assert!(
            matches!(refused, Err(ServiceError::Forbidden)),
            "{refused:?}"
        );
        assert!(set_of(&store, &t, "tag=x").await.is_empty());
        // Bad tags are refused whole.
        let bad = bulk_update(
            &store,
            &t,
            &agent,
            &BulkTarget::Selected(vec![ana.id]),
            &BulkAction::AddTags {
                tags: vec!["a\u{7}b".into()],
            },
        )
        .await;
        assert!(matches!(bad, Err(ServiceError::Invalid { .. })), "{bad:?}");
        let none = bulk_update(
            &store,
            &t,
            &agent,
            &BulkTarget::Selected(vec![]),
            &BulkAction::SetStage {
                stage: LifecycleStage::Lead,
            },
        )
        .await;
        assert!(
            matches!(none, Err(ServiceError::Invalid { .. })),
            "{none:?}"
        );
    }
);

on_both!(
    views_keep_to_their_owners_and_count_their_lists,
    |store: Store| async move {
        let t = tenant(&store).await;
        cast(&store, &t).await;
        let ada = staff(Role::Agent);
        let bob = staff(Role::Agent);
        let admin = staff(Role::Admin);
        let mine = save_view(
            &store,
            &t,
            &ada,
            "  My VIPs ",
            "tag=VIP&sort=activity",
            false,
        )
        .await
        .expect("save");
        assert_eq!(
            (mine.name.as_str(), mine.query.as_str(), mine.count.n),
            ("My VIPs", "tag=vip", 2)
        );
        assert!(matches!(
            save_view(&store, &t, &ada, "my vips", "stage=lead", false).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            save_view(&store, &t, &ada, "Team", "stage=lead", true).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            save_view(&store, &t, &ada, "Broken", "stage=vip", false).await,
            Err(ServiceError::Invalid { .. })
        ));
        let team = save_view(&store, &t, &admin, "Customers", "stage=customer", true)
            .await
            .expect("shared");
        let seen_by_bob = saved_views(&store, &t, &bob).await.expect("views");
        assert_eq!(
            seen_by_bob
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>(),
            ["Customers"]
        );
        assert!(!seen_by_bob[0].deletable && seen_by_bob[0].shared && seen_by_bob[0].count.n == 2);
        assert!(matches!(
            delete_view(&store, &t, &bob, team.id).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            delete_view(&store, &t, &bob, mine.id).await,
            Err(ServiceError::NotFound(_))
        ));
        let seen_by_ada = saved_views(&store, &t, &ada).await.expect("views");
        assert_eq!(seen_by_ada.len(), 2);
        delete_view(&store, &t, &ada, mine.id)
            .await
            .expect("delete own");
        delete_view(&store, &t, &admin, team.id)
            .await
            .expect("delete shared");
        assert!(
            saved_views(&store, &t, &ada)
                .await
                .expect("views")
                .is_empty()
        );
    }
);

on_both!(
    an_export_holds_the_list_and_nothing_a_spreadsheet_runs,
    |store: Store| async move {
        let t = tenant(&store).await;
        let [ana, ..] = cast(&store, &t).await;
        // A name that a spreadsheet would run as a formula.
        let evil = person(
            &store,
            &t,
            "=HYPERLINK(\"http://x\")",
            "evil@example.com",
            Channel::Email,
            70,
            (None, None),
        )
        .await;
        tag(&store, &t, evil.id, &["vip"], LifecycleStage::Lead).await;
        let agent = staff(Role::Agent);
        let done = export(
            &store,
            &t,
            &agent,
            &parse_filter("tag=vip").expect("filter"),
        )
        .await
        .expect("export");
        assert_eq!(
            (done.status.as_str(), done.done, done.total),
            ("succeeded", 3, 3)
        );
        let url = done.download.clone().expect("a download");
        assert_eq!(url, format!("/exports/{}.csv", done.id));
        let mut csv = String::new();
        let mut from = 0;
        loop {
            let parts = export_download(&store, &t, &agent, done.id, from)
                .await
                .expect("download");
            let Some((last, _)) = parts.last() else { break };
            from = last + 1;
            csv.extend(parts.into_iter().map(|(_, body)| body));
        }
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 3);
        let header = reader.headers().expect("header").clone();
        let email = header
            .iter()
            .position(|h| h == "email")
            .expect("email column");
        let name = header
            .iter()
            .position(|h| h == "display_name")
            .expect("name column");
        assert!(
            rows.iter()
                .any(|r| r[0] == ana.id.to_string() && &r[email] == "ana@example.com")
        );
        let evil_row = rows
            .iter()
            .find(|r| r[0] == evil.id.to_string())
            .expect("evil row");
        assert!(evil_row[name].starts_with("'="), "{:?}", &evil_row[name]);
        // Someone else's export does not exist for another agent; an admin sees it; managers none.
        let other = staff(Role::Agent);
        assert!(matches!(
            export_status(&store, &t, &other, done.id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            export_download(&store, &t, &other, done.id, 0).await,
            Err(ServiceError::NotFound(_))
        ));
        export_status(&store, &t, &staff(Role::Admin), done.id)
            .await
            .expect("admin sees it");
        assert!(matches!(
            export(
                &store,
                &t,
                &staff(Role::Manager),
                &CustomerFilter::default()
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        // Started and downloaded are both in the audit log.
        for action in ["export.started", "export.downloaded"] {
            let found = search_audit(
                &store,
                &t,
                &AuditSearch {
                    action: Some(action.into()),
                    ..Default::default()
                },
                0,
            )
            .await
            .expect("audit");
            assert_eq!(found.entries.len(), 1, "{action}");
        }
    }
);

#[test]
fn actors_differ() {
    // The tests above rely on two agents being two people.
    let (a, b) = (staff(Role::Agent), staff(Role::Agent));
    assert!(matches!((&a, &b), (Actor::Staff { id: x, .. }, Actor::Staff { id: y, .. }) if x != y));
}
