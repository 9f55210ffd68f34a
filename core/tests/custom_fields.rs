//! Custom fields on both backends: admins define them; values are validated by kind before
//! anything is written (through a profile change, an event or an import), shown typed on the
//! profile, audited with before and after, filterable in lists, exported, kept through a merge
//! and its undo, and gone with the field or the person.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use spine_core::exports::{Provider, read_export_mapped};
use spine_core::services::audit_log::{AuditSearch, search_audit};
use spine_core::services::custom_fields::{custom_fields, define_field, delete_field, key_of};
use spine_core::services::customers::{ProfileUpdate, customer_profile, update_customer};
use spine_core::services::ingest::ingest_event;
use spine_core::services::lists::{export, export_download, list_customers, parse_filter};
use spine_core::services::merge::undo_merge;
use spine_core::services::privacy::erase_customer;
use spine_core::types::{Channel, FieldKind, Role};
use spine_core::{Actor, ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, merge, staff, tenant};

async fn define_all(store: &Store, t: &Tenant) {
    let admin = staff(Role::Admin);
    for (label, kind, choices) in [
        ("Allergies", FieldKind::Text, vec![]),
        (
            "Loyalty tier",
            FieldKind::Choice,
            vec!["Bronze".to_owned(), "Silver".into(), "Gold".into()],
        ),
        ("Lifetime spend", FieldKind::Number, vec![]),
        ("Birthday", FieldKind::Date, vec![]),
        ("VIP lounge", FieldKind::YesNo, vec![]),
    ] {
        define_field(store, t, &admin, label, kind, &choices)
            .await
            .expect("define");
    }
}

async fn person(store: &Store, t: &Tenant, name: &str, email: &str) -> Uuid {
    ingest_event(
        store,
        t,
        &SYSTEM,
        event(Channel::Email, 0, ids(Some(email), None, name), "hello"),
    )
    .await
    .expect("ingest")
    .customer_id
}

fn custom(pairs: &[(&str, Value)]) -> ProfileUpdate {
    ProfileUpdate {
        custom: Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        ),
        ..Default::default()
    }
}

async fn set(store: &Store, t: &Tenant, actor: &Actor, id: Uuid, pairs: &[(&str, Value)]) {
    update_customer(store, t, actor, id, &custom(pairs))
        .await
        .expect("set custom");
}

async fn listed(store: &Store, t: &Tenant, query: &str) -> Result<Vec<Uuid>, ServiceError> {
    let filter = parse_filter(query)?;
    Ok(list_customers(store, t, &filter, None, 50)
        .await?
        .customers
        .into_iter()
        .map(|c| c.id)
        .collect())
}

#[test]
fn keys_are_made_from_labels() {
    assert_eq!(key_of("Loyalty tier").as_deref(), Some("loyalty_tier"));
    assert_eq!(key_of("  VIP / lounge?? ").as_deref(), Some("vip_lounge"));
    assert_eq!(
        key_of("Allergies (food)").as_deref(),
        Some("allergies_food")
    );
    assert_eq!(key_of("!!!"), None);
    assert_eq!(key_of(&"x".repeat(80)).map(|k| k.len()), Some(40));
}

on_both!(
    admins_define_fields_and_only_admins,
    |store: Store| async move {
        let t = tenant(&store).await;
        define_all(&store, &t).await;
        let fields = custom_fields(&store, &t).await.expect("fields");
        let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "allergies",
                "loyalty_tier",
                "lifetime_spend",
                "birthday",
                "vip_lounge"
            ]
        );
        let admin = staff(Role::Admin);
        for (who, label, kind, choices, refused) in [
            (
                staff(Role::Agent),
                "Shoe size",
                FieldKind::Number,
                vec![],
                "forbidden",
            ),
            (
                admin.clone(),
                "allergies",
                FieldKind::Text,
                vec![],
                "conflict",
            ),
            (admin.clone(), "Tier", FieldKind::Choice, vec![], "invalid"),
            (admin.clone(), "???", FieldKind::Text, vec![], "invalid"),
        ] {
            let result = define_field(&store, &t, &who, label, kind, &choices).await;
            let kind = match result {
                Err(ServiceError::Forbidden) => "forbidden",
                Err(ServiceError::Conflict(_)) => "conflict",
                Err(ServiceError::Invalid { .. }) => "invalid",
                other => panic!("{label}: {other:?}"),
            };
            assert_eq!(kind, refused, "{label}");
        }
        assert_eq!(custom_fields(&store, &t).await.expect("fields").len(), 5);
    }
);

on_both!(
    values_are_checked_typed_audited_and_filterable,
    |store: Store| async move {
        let t = tenant(&store).await;
        define_all(&store, &t).await;
        let agent = staff(Role::Agent);
        let ana = person(&store, &t, "Ana Lopez", "ana@example.com").await;
        let ben = person(&store, &t, "Ben Okafor", "ben@example.com").await;
        set(
            &store,
            &t,
            &agent,
            ana,
            &[
                ("allergies", json!(" peanuts ")),
                ("loyalty_tier", json!("gold")),
                ("lifetime_spend", json!("120.5")),
                ("birthday", json!("1990-04-01")),
                ("vip_lounge", json!(true)),
            ],
        )
        .await;
        set(
            &store,
            &t,
            &agent,
            ben,
            &[
                ("loyalty_tier", json!("Silver")),
                ("lifetime_spend", json!(80)),
            ],
        )
        .await;
        let profile = customer_profile(&store, &t, ana).await.expect("profile");
        let expected: BTreeMap<String, Value> = [
            ("allergies", json!("peanuts")),
            ("birthday", json!("1990-04-01")),
            ("lifetime_spend", json!(120.5)),
            ("loyalty_tier", json!("Gold")),
            ("vip_lounge", json!(true)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(profile.custom, expected);

        // Each wrong value is refused naming its field, and nothing of the change is written.
        for (key, value) in [
            ("loyalty_tier", json!("Platinum")),
            ("lifetime_spend", json!("a lot")),
            ("birthday", json!("01/04/1990")),
            ("vip_lounge", json!("maybe")),
            ("allergies", json!("x".repeat(501))),
            ("shoe_size", json!(42)),
        ] {
            let change = custom(&[("allergies", json!("shellfish")), (key, value)]);
            let refused = update_customer(&store, &t, &agent, ana, &change).await;
            match refused {
                Err(ServiceError::Invalid { field, .. }) => {
                    assert_eq!(field, format!("custom.{key}"))
                }
                other => panic!("{key}: {other:?}"),
            }
        }
        assert_eq!(
            customer_profile(&store, &t, ana)
                .await
                .expect("profile")
                .custom,
            expected
        );
        // A customer does not file themselves.
        let own = update_customer(
            &store,
            &t,
            &Actor::Customer { id: ana },
            ana,
            &custom(&[("allergies", json!("none"))]),
        )
        .await;
        assert!(matches!(own, Err(ServiceError::Forbidden)), "{own:?}");
        // Cleared with null.
        set(&store, &t, &agent, ben, &[("lifetime_spend", Value::Null)]).await;
        assert!(
            !customer_profile(&store, &t, ben)
                .await
                .expect("profile")
                .custom
                .contains_key("lifetime_spend")
        );

        // The change is in the audit log with before and after.
        let log = search_audit(
            &store,
            &t,
            &AuditSearch {
                customer_id: Some(ana),
                action: Some("customer.updated".into()),
                ..Default::default()
            },
            0,
        )
        .await
        .expect("audit");
        let entry = log.entries.last().expect("an entry");
        assert_eq!(
            entry
                .after
                .as_ref()
                .map(|a| a["custom"]["loyalty_tier"].clone()),
            Some(json!("Gold"))
        );
        assert_eq!(
            entry
                .before
                .as_ref()
                .map(|b| b["custom"]["loyalty_tier"].clone()),
            Some(Value::Null)
        );

        // Lists filter by them, in the field's own terms.
        assert_eq!(
            listed(&store, &t, "cf.loyalty_tier=GOLD")
                .await
                .expect("list"),
            [ana]
        );
        assert_eq!(
            listed(&store, &t, "cf.loyalty_tier=Silver")
                .await
                .expect("list"),
            [ben]
        );
        assert_eq!(
            listed(&store, &t, "cf.lifetime_spend.min=100")
                .await
                .expect("list"),
            [ana]
        );
        assert_eq!(
            listed(&store, &t, "cf.lifetime_spend.max=100")
                .await
                .expect("list"),
            Vec::<Uuid>::new()
        );
        assert_eq!(
            listed(&store, &t, "cf.birthday.max=1995-12-31")
                .await
                .expect("list"),
            [ana]
        );
        assert_eq!(
            listed(&store, &t, "cf.vip_lounge=yes").await.expect("list"),
            [ana]
        );
        assert_eq!(
            listed(&store, &t, "cf.allergies=peanuts")
                .await
                .expect("list"),
            [ana]
        );
        for (query, field) in [
            ("cf.shoe_size=9", "cf.shoe_size"),
            ("cf.allergies.min=a", "cf.allergies.min"),
            ("cf.lifetime_spend.min=lots", "cf.lifetime_spend.min"),
            ("cf.loyalty_tier=Platinum", "cf.loyalty_tier"),
        ] {
            match listed(&store, &t, query).await {
                Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field, "{query}"),
                other => panic!("{query}: {other:?}"),
            }
        }

        // The list's export has a column per field.
        let done = export(
            &store,
            &t,
            &agent,
            &parse_filter("cf.loyalty_tier=gold").expect("filter"),
        )
        .await
        .expect("export");
        let csv: String = export_download(&store, &t, &agent, done.id, 0)
            .await
            .expect("download")
            .into_iter()
            .map(|(_, body)| body)
            .collect();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().expect("header").clone();
        let row = reader.records().next().expect("a row").expect("readable");
        let column = |name: &str| header.iter().position(|h| h == name).expect(name);
        assert_eq!(&row[column("custom:loyalty_tier")], "Gold");
        assert_eq!(&row[column("custom:vip_lounge")], "yes");
        assert_eq!(&row[column("custom:lifetime_spend")], "120.5");
    }
);

on_both!(
    events_and_imports_set_values_and_a_bad_one_fails_alone,
    |store: Store| async move {
        let t = tenant(&store).await;
        define_all(&store, &t).await;
        let mut good = event(
            Channel::Webchat,
            1,
            ids(Some("cai@example.com"), None, "Cai Wen"),
            "hi",
        );
        good.custom = Some(
            [("loyalty_tier".to_owned(), json!("bronze"))]
                .into_iter()
                .collect(),
        );
        let cai = ingest_event(&store, &t, &SYSTEM, good)
            .await
            .expect("good")
            .customer_id;
        assert_eq!(
            customer_profile(&store, &t, cai)
                .await
                .expect("profile")
                .custom["loyalty_tier"],
            json!("Bronze")
        );
        let mut bad = event(
            Channel::Webchat,
            2,
            ids(Some("dee@example.com"), None, "Dee Ramos"),
            "hi",
        );
        bad.custom = Some(
            [("loyalty_tier".to_owned(), json!("diamond"))]
                .into_iter()
                .collect(),
        );
        assert!(matches!(
            ingest_event(&store, &t, &SYSTEM, bad).await,
            Err(ServiceError::Invalid { .. })
        ));
        assert!(
            listed(&store, &t, "q=dee@example.com")
                .await
                .expect("search")
                .is_empty(),
            "nothing written"
        );

        // A CSV column, mapped to a field, and one named after a field already.
        let file =
            "email,name,Allergy notes,custom:vip_lounge\neli@example.com,Eli Moss,sesame,yes\n";
        let rows = read_export_mapped(
            Provider::Csv,
            file.as_bytes(),
            chrono::Utc::now(),
            &[("Allergy notes".to_owned(), "custom:allergies".to_owned())],
        )
        .expect("readable");
        let event = rows.into_iter().next().expect("a row").1.expect("an event");
        let eli = ingest_event(&store, &t, &SYSTEM, event)
            .await
            .expect("import")
            .customer_id;
        let values = customer_profile(&store, &t, eli)
            .await
            .expect("profile")
            .custom;
        assert_eq!(
            (values["allergies"].clone(), values["vip_lounge"].clone()),
            (json!("sesame"), json!(true))
        );
    }
);

on_both!(
    merges_fill_gaps_undo_restores_and_erasure_removes,
    |store: Store| async move {
        let t = tenant(&store).await;
        define_all(&store, &t).await;
        let agent = staff(Role::Agent);
        let admin = staff(Role::Admin);
        let keep = person(&store, &t, "Fay Ito", "fay@example.com").await;
        let gone = person(&store, &t, "Fay Itoh", "fay.ito@example.com").await;
        set(&store, &t, &agent, keep, &[("loyalty_tier", json!("Gold"))]).await;
        set(
            &store,
            &t,
            &agent,
            gone,
            &[
                ("loyalty_tier", json!("Bronze")),
                ("allergies", json!("gluten")),
            ],
        )
        .await;
        let merged = merge(&store, &t, &admin, keep, gone).await.expect("merge");
        let values = customer_profile(&store, &t, keep)
            .await
            .expect("profile")
            .custom;
        assert_eq!(
            values["loyalty_tier"],
            json!("Gold"),
            "the survivor's value stays"
        );
        assert_eq!(values["allergies"], json!("gluten"), "a gap is filled");
        undo_merge(&store, &t, &admin, merged.merge_id)
            .await
            .expect("undo");
        let values = customer_profile(&store, &t, keep)
            .await
            .expect("profile")
            .custom;
        assert!(
            !values.contains_key("allergies"),
            "undo takes back what the merge filled"
        );
        assert_eq!(
            customer_profile(&store, &t, gone)
                .await
                .expect("profile")
                .custom["allergies"],
            json!("gluten")
        );

        // A deleted field takes its values with it; an erased person too.
        delete_field(&store, &t, &admin, "allergies")
            .await
            .expect("delete");
        assert!(
            !customer_profile(&store, &t, gone)
                .await
                .expect("profile")
                .custom
                .contains_key("allergies")
        );
        assert!(matches!(
            delete_field(&store, &t, &agent, "loyalty_tier").await,
            Err(ServiceError::Forbidden)
        ));
        erase_customer(&store, &t, &admin, keep)
            .await
            .expect("erase");
        assert!(
            listed(&store, &t, "cf.loyalty_tier=Gold")
                .await
                .expect("list")
                .is_empty()
        );
    }
);
