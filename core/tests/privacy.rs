//! The customer's own page and privacy, on both backends: one-time-code sign-in (hashed,
//! expiring, single-use, rate-limited), preferences and consent, "this is not me", export,
//! soft delete and restore, and erasure of the whole profile graph with its tombstones.

use chrono::{Duration, Utc};
use uuid::Uuid;

use spine_core::services::customers::{
    ProfileUpdate, customer_profile, search_customers, update_customer,
};
use spine_core::services::ingest::ingest_event;
use spine_core::services::portal::{
    self, CustomerSession, MAX_ATTEMPTS, MAX_CODES, dispute_identity, my_profile, open_disputes,
    request_code, request_code_at, update_my_profile, verify_code, verify_code_at,
};
use spine_core::services::privacy::{
    erase_customer, export_customer, restore_customer, soft_delete_customer,
};
use spine_core::services::review::decide_dispute;
use spine_core::store::AuditFilter;
use spine_core::types::{Channel, Decision, IdentifiersInput, NotificationPrefs, OrderInput, Role};
use spine_core::{ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, merge, outbox_len, staff, tenant};

const EMAIL: &str = "ines.ortega@example.com";
const PHONE: &str = "+1 415 555 0132";

/// Ines: an email conversation, then an SMS that gives both her email and her phone; the shop's
/// integration knows both are from its customer 501, which ties the number to her profile as
/// firmly as the channel gives it (a number that joined only through the email would be a claim).
fn ines_ids(email: Option<&str>, phone: Option<&str>) -> spine_core::types::IdentifiersInput {
    spine_core::types::IdentifiersInput {
        external: Some(spine_core::types::ExternalInput {
            provider: "shop".into(),
            id: "501".into(),
        }),
        ..ids(email, phone, "Ines Ortega")
    }
}

async fn ines(store: &Store, t: &Tenant) -> Uuid {
    let first = ingest_event(
        store,
        t,
        &SYSTEM,
        event(
            Channel::Email,
            0,
            ines_ids(Some(EMAIL), None),
            "Where is my order?",
        ),
    )
    .await
    .expect("email");
    let second = ingest_event(
        store,
        t,
        &SYSTEM,
        event(
            Channel::Sms,
            10,
            ines_ids(Some(EMAIL), Some(PHONE)),
            "It's Ines, any news?",
        ),
    )
    .await
    .expect("sms");
    assert_eq!(second.customer_id, first.customer_id);
    first.customer_id
}

/// The code in the newest outbox message to this destination (what the customer would read).
async fn code_sent_to(store: &Store, t: &Tenant, destination: &str) -> String {
    let mut tx = store.read().await.expect("read");
    let message = tx
        .recent_outbox(t.id, 20)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.destination == destination)
        .expect("a message to the destination");
    message
        .body
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .expect("a six-digit code")
        .to_owned()
}

async fn signed_in(store: &Store, t: &Tenant) -> CustomerSession {
    let challenge = request_code(store, t, EMAIL).await.expect("request");
    let code = code_sent_to(store, t, EMAIL).await;
    verify_code(store, t, challenge, &code)
        .await
        .expect("verify")
        .session
}

on_both!(
    codes_are_single_use_hashed_and_sign_in,
    |store: Store| async move {
        let t = tenant(&store).await;
        let id = ines(&store, &t).await;

        // Unknown addresses get the same answer and no message: the form tells no one who is a customer.
        let nobody = request_code(&store, &t, "stranger@example.com")
            .await
            .expect("unknown is not an error");
        assert_eq!(outbox_len(&store, &t).await, 0);
        assert!(verify_code(&store, &t, nobody, "123456").await.is_err());
        assert!(matches!(
            request_code(&store, &t, "not an address").await,
            Err(ServiceError::Invalid { .. })
        ));

        // The phone in another format reaches the same person.
        let challenge = request_code(&store, &t, "(415) 555-0132")
            .await
            .expect("request by phone");
        let code = code_sent_to(&store, &t, "+14155550132").await;
        {
            let mut tx = store.read().await.expect("read");
            let issued = tx.recent_outbox(t.id, 1).await.expect("outbox");
            assert_eq!(issued[0].channel, "sms");
            assert_eq!(issued[0].customer_id, Some(id));
        }
        // Stored hashed: the code itself is nowhere in the table.
        let stored = store
            .read()
            .await
            .expect("read")
            .otp_codes_of(t.id, id)
            .await
            .expect("codes");
        assert_eq!(stored.len(), 1);
        assert!(
            stored
                .iter()
                .all(|row| row.code_hash.len() == 64 && !row.code_hash.contains(&code))
        );

        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert!(matches!(
            verify_code(&store, &t, challenge, wrong).await,
            Err(ServiceError::Invalid { ref field, .. }) if field == "code"
        ));
        let signed = verify_code(&store, &t, challenge, &code)
            .await
            .expect("right code");
        assert_eq!(signed.session.customer_id, id);
        // Single use.
        assert!(verify_code(&store, &t, challenge, &code).await.is_err());

        // The cookie's token finds the session; anything else does not.
        let session = portal::authenticate(&store, &t, signed.token.as_str())
            .await
            .expect("auth")
            .expect("live session");
        assert_eq!(session.customer_id, id);
        assert!(
            portal::authenticate(&store, &t, &"0".repeat(64))
                .await
                .expect("auth")
                .is_none()
        );
        assert!(
            portal::authenticate(&store, &t, "short")
                .await
                .expect("auth")
                .is_none()
        );

        // Receiving the code verified the phone.
        let me = my_profile(&store, &t, &session).await.expect("profile");
        let phone = me
            .identities
            .iter()
            .find(|i| i.kind == "phone")
            .expect("phone identity");
        assert_eq!(phone.verification.as_str(), "verified");
        let email = me
            .identities
            .iter()
            .find(|i| i.kind == "email")
            .expect("email identity");
        assert_eq!(email.verification.as_str(), "unverified");

        portal::sign_out(&store, &t, &session)
            .await
            .expect("sign out");
        assert!(
            portal::authenticate(&store, &t, signed.token.as_str())
                .await
                .expect("auth")
                .is_none()
        );
    }
);

on_both!(
    codes_expire_are_rate_limited_and_lock_after_attempts,
    |store: Store| async move {
        let t = tenant(&store).await;
        ines(&store, &t).await;
        let now = Utc::now();

        // Expired: issued eleven minutes ago.
        let expired = request_code_at(&store, &t, EMAIL, now - Duration::minutes(11))
            .await
            .expect("old code");
        let old = code_sent_to(&store, &t, EMAIL).await;
        assert!(
            verify_code_at(&store, &t, expired, &old, now)
                .await
                .is_err(),
            "expired code refused"
        );

        // Too many wrong tries lock the code, even for the right one afterwards.
        let second = request_code_at(&store, &t, EMAIL, now)
            .await
            .expect("second code");
        let code = code_sent_to(&store, &t, EMAIL).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..MAX_ATTEMPTS {
            assert!(
                verify_code_at(&store, &t, second, wrong, now)
                    .await
                    .is_err()
            );
        }
        assert!(
            verify_code_at(&store, &t, second, &code, now)
                .await
                .is_err(),
            "locked after {MAX_ATTEMPTS} wrong tries"
        );

        assert!(matches!(
            verify_code_at(&store, &t, second, "12345", now).await,
            Err(ServiceError::Invalid { .. })
        ));

        // Rate limit: MAX_CODES per window; two were issued inside it already (the expired one
        // too). Asking again replaces the code: the one before stops working.
        let mut last = second;
        for _ in 2..MAX_CODES {
            last = request_code_at(&store, &t, EMAIL, now)
                .await
                .expect("within the limit");
        }
        let newest = code_sent_to(&store, &t, EMAIL).await;
        let before_last = request_code_at(&store, &t, EMAIL, now + Duration::minutes(16))
            .await
            .expect("a new window");
        assert!(
            verify_code_at(&store, &t, last, &newest, now + Duration::minutes(16))
                .await
                .is_err(),
            "a replaced code is refused"
        );
        let replacing = code_sent_to(&store, &t, EMAIL).await;
        verify_code_at(
            &store,
            &t,
            before_last,
            &replacing,
            now + Duration::minutes(16),
        )
        .await
        .expect("the newest code works");
        for _ in 1..MAX_CODES {
            request_code_at(&store, &t, EMAIL, now + Duration::minutes(16))
                .await
                .expect("within the limit");
        }
        let sent = outbox_len(&store, &t).await;
        // Answered like any request (a refusal would tell who is a customer), but nothing sent.
        request_code_at(&store, &t, EMAIL, now + Duration::minutes(16))
            .await
            .expect("the same answer past the limit");
        assert_eq!(
            outbox_len(&store, &t).await,
            sent,
            "nothing sent when limited"
        );
        // The window passes.
        request_code_at(&store, &t, EMAIL, now + Duration::minutes(32))
            .await
            .expect("later");
    }
);

on_both!(
    preferences_consent_and_this_is_not_me,
    |store: Store| async move {
        let t = tenant(&store).await;
        let id = ines(&store, &t).await;
        let session = signed_in(&store, &t).await;

        let prefs = NotificationPrefs {
            order_updates: true,
            appointment_reminders: false,
            product_news: true,
        };
        let updated = update_my_profile(
            &store,
            &t,
            &session,
            &ProfileUpdate {
                display_name: Some("Inés Ortega".into()),
                preferred_channel: Some(Channel::Whatsapp),
                timezone: Some("Europe/Madrid".into()),
                language: Some("es".into()),
                marketing_opt_in: Some(true),
                notifications: Some(prefs),
                ..Default::default()
            },
        )
        .await
        .expect("update");
        assert_eq!(updated.display_name.as_deref(), Some("Inés Ortega"));
        // What an agent reads is the same profile.
        let seen = customer_profile(&store, &t, id).await.expect("profile");
        assert_eq!(seen.preferences.preferred_channel, Some(Channel::Whatsapp));
        assert_eq!(seen.preferences.language.as_deref(), Some("es"));
        assert!(seen.preferences.marketing_opt_in);
        assert_eq!(
            NotificationPrefs::from_json(&seen.preferences.notifications),
            prefs
        );

        // Consent is recorded with where it came from; the change is audited against the customer.
        let export = export_customer(&store, &t, &session.actor(), id)
            .await
            .expect("export");
        assert_eq!(export.consents.len(), 1);
        assert!(export.consents[0].granted);
        assert_eq!(export.consents[0].source, "customer");
        assert!(
            export
                .changes
                .iter()
                .any(|c| c.action == "customer.updated" && c.actor == "the customer")
        );

        // A customer files nothing about themselves, and changes no one else.
        for update in [
            ProfileUpdate {
                tags: Some(vec!["vip".into()]),
                ..Default::default()
            },
            ProfileUpdate {
                lifecycle_stage: Some(spine_core::types::LifecycleStage::Churned),
                ..Default::default()
            },
        ] {
            assert!(matches!(
                update_my_profile(&store, &t, &session, &update).await,
                Err(ServiceError::Forbidden)
            ));
        }
        let other = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                5,
                ids(Some("x@example.com"), None, "Xavier"),
                "hi",
            ),
        )
        .await
        .expect("other");
        assert!(matches!(
            export_customer(&store, &t, &session.actor(), other.customer_id).await,
            Err(ServiceError::Forbidden)
        ));

        // "This is not me": a review item, nothing unlinked; asking twice opens one item.
        let phone = seen
            .identities
            .iter()
            .find(|i| i.kind == "phone")
            .expect("phone");
        let item = dispute_identity(&store, &t, &session, phone.id)
            .await
            .expect("dispute");
        assert_eq!(
            dispute_identity(&store, &t, &session, phone.id)
                .await
                .expect("again"),
            item
        );
        let mut tx = store.read().await.expect("read");
        let open = tx.open_review_items_about(t.id, id).await.expect("items");
        assert_eq!(open.len(), 1);
        assert!(open[0].reason.contains("not theirs"), "{}", open[0].reason);
        drop(tx);
        let still = customer_profile(&store, &t, id).await.expect("profile");
        assert!(still.identities.iter().any(|i| i.id == phone.id));
        assert!(matches!(
            dispute_identity(&store, &t, &session, Uuid::new_v4()).await,
            Err(ServiceError::NotFound(_))
        ));

        // Staff decide it: an agent may not; an admin keeps the email, and unlinks the phone.
        let disputes = open_disputes(&store, &t, id).await.expect("disputes");
        assert_eq!(disputes.len(), 1);
        assert_eq!(disputes[0].value, "+14155550132");
        assert!(matches!(
            decide_dispute(&store, &t, &staff(Role::Agent), item, true).await,
            Err(ServiceError::Forbidden)
        ));
        let admin = staff(Role::Admin);
        let email = still
            .identities
            .iter()
            .find(|i| i.kind == "email")
            .expect("email");
        let kept = dispute_identity(&store, &t, &session, email.id)
            .await
            .expect("dispute email");
        decide_dispute(&store, &t, &admin, kept, false)
            .await
            .expect("keep");
        decide_dispute(&store, &t, &admin, item, true)
            .await
            .expect("unlink");
        assert!(matches!(
            decide_dispute(&store, &t, &admin, item, true).await,
            Err(ServiceError::Conflict(_))
        ));
        let after = customer_profile(&store, &t, id).await.expect("profile");
        assert!(
            after.identities.iter().all(|i| i.id != phone.id),
            "phone unlinked"
        );
        assert!(
            after.identities.iter().any(|i| i.id == email.id),
            "email kept"
        );
        assert_eq!(after.primary_phone, None);
        assert_eq!(after.primary_email.as_deref(), Some(EMAIL));
        assert!(
            open_disputes(&store, &t, id)
                .await
                .expect("disputes")
                .is_empty()
        );
    }
);

on_both!(
    export_holds_the_whole_graph_and_soft_delete_hides,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let a = ines(&store, &t).await;
        // A second profile for the same person (Instagram, no shared identifier), with an order.
        let mut order_event = event(
            Channel::Instagram,
            30,
            IdentifiersInput {
                handle: Some(spine_core::types::HandleInput {
                    platform: "instagram".into(),
                    handle: "ines.o".into(),
                }),
                name: Some("Ines O".into()),
                ..Default::default()
            },
            "ordered the blue one",
        );
        order_event.order = Some(OrderInput {
            provider: "shopify".into(),
            external_id: "1042".into(),
            total_cents: 4200,
            currency: "EUR".into(),
            status: "paid".into(),
            items: Vec::new(),
        });
        let b = ingest_event(&store, &t, &SYSTEM, order_event)
            .await
            .expect("b");
        assert_eq!(b.decision, Decision::Created);
        merge(&store, &t, &admin, a, b.customer_id)
            .await
            .expect("merge");

        let export = export_customer(&store, &t, &admin, a)
            .await
            .expect("export");
        assert_eq!(export.profile.id, a);
        assert_eq!(export.timeline.len(), 3, "both profiles' interactions");
        assert_eq!(export.orders.len(), 1);
        assert_eq!(export.orders[0].external_id, "1042");
        assert_eq!(export.merged_profiles.len(), 1);
        assert_eq!(export.merged_profiles[0].id, b.customer_id);
        assert!(
            export
                .changes
                .iter()
                .any(|c| c.action.starts_with("customer.merge")),
            "{:?}",
            export.changes.iter().map(|c| &c.action).collect::<Vec<_>>()
        );
        assert!(
            export
                .timeline
                .windows(2)
                .all(|w| w[0].occurred_at <= w[1].occurred_at)
        );
        // Only admins (and API keys) export.
        for role in [Role::Agent, Role::Manager] {
            assert!(matches!(
                export_customer(&store, &t, &staff(role), a).await,
                Err(ServiceError::Forbidden)
            ));
        }
        // The absorbed profile is no person of its own any more.
        assert!(matches!(
            export_customer(&store, &t, &admin, b.customer_id).await,
            Err(ServiceError::NotFound(_))
        ));

        // Soft delete hides from search, keeps everything, and restores.
        let found = |q: &'static str| {
            let store = store.clone();
            let t = t.clone();
            async move {
                search_customers(&store, &t, q, 10)
                    .await
                    .expect("search")
                    .len()
            }
        };
        assert_eq!(found("ines.ortega@example.com").await, 1);
        assert!(matches!(
            soft_delete_customer(&store, &t, &staff(Role::Agent), a).await,
            Err(ServiceError::Forbidden)
        ));
        soft_delete_customer(&store, &t, &admin, a)
            .await
            .expect("delete");
        assert!(matches!(
            soft_delete_customer(&store, &t, &admin, a).await,
            Err(ServiceError::Conflict(_))
        ));
        assert_eq!(found("ines.ortega@example.com").await, 0);
        assert_eq!(found("Ines Ortega").await, 0);
        let hidden = customer_profile(&store, &t, a)
            .await
            .expect("still readable by id");
        assert!(hidden.deleted_at.is_some());
        restore_customer(&store, &t, &admin, a)
            .await
            .expect("restore");
        assert_eq!(found("ines.ortega@example.com").await, 1);
        assert!(
            customer_profile(&store, &t, a)
                .await
                .expect("profile")
                .deleted_at
                .is_none()
        );
    }
);

on_both!(
    erasure_removes_everything_and_leaves_tombstones,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let a = ines(&store, &t).await;
        let b = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Whatsapp,
                40,
                ids(None, Some("+34 612 345 678"), "Ines Ortega"),
                "hola",
            ),
        )
        .await
        .expect("b");
        merge(&store, &t, &admin, a, b.customer_id)
            .await
            .expect("merge");
        let session = signed_in(&store, &t).await;
        update_my_profile(
            &store,
            &t,
            &session,
            &ProfileUpdate {
                marketing_opt_in: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("opt in");
        let bystander = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                50,
                ids(Some("someone@example.com"), None, "Some One"),
                "hi",
            ),
        )
        .await
        .expect("bystander");

        // The customer erases themselves.
        let report = erase_customer(&store, &t, &session.actor(), a)
            .await
            .expect("erase");
        assert_eq!(report.profiles, 2, "the profile and the one merged into it");
        assert_eq!(report.interactions, 3);
        assert!(
            report.tombstones >= 3,
            "email, phone and the Spanish phone: {}",
            report.tombstones
        );

        // Gone everywhere: by id, export, search, session.
        assert!(matches!(
            customer_profile(&store, &t, a).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            export_customer(&store, &t, &admin, a).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(
            search_customers(&store, &t, EMAIL, 10)
                .await
                .expect("search")
                .is_empty()
        );
        assert!(
            search_customers(&store, &t, "Ines Ortega", 10)
                .await
                .expect("search")
                .is_empty()
        );
        assert!(
            search_customers(&store, &t, "+34612345678", 10)
                .await
                .expect("search")
                .is_empty()
        );
        assert!(
            portal::authenticate(&store, &t, "0".repeat(64).as_str())
                .await
                .expect("auth")
                .is_none()
        );
        assert!(matches!(
            erase_customer(&store, &t, &admin, a).await,
            Err(ServiceError::NotFound(_))
        ));

        // Nothing personal is left in any row Spine keeps about the tenant: the audit log says
        // what happened, and the profile rows are empty.
        let mut tx = store.read().await.expect("read");
        let audit = tx
            .search_audit(t.id, &AuditFilter::default(), 500, 0)
            .await
            .expect("audit");
        assert!(
            audit
                .iter()
                .any(|e| e.action == "customer.erased" && e.customer_id == Some(a))
        );
        assert!(
            audit
                .iter()
                .any(|e| e.action == "customer.updated" && e.customer_id == Some(a)),
            "the entry stays, without its values"
        );
        let text = format!(
            "{:?}",
            audit
                .iter()
                .filter(|e| e.customer_id != Some(bystander.customer_id))
                .collect::<Vec<_>>()
        );
        for secret in [
            "ines",
            "Ines",
            "Ortega",
            "4155550132",
            "612345678",
            "hola",
            "Where is my order",
        ] {
            assert!(!text.contains(secret), "audit still holds {secret:?}");
        }
        for id in [a, b.customer_id] {
            let row = tx
                .customer(t.id, id)
                .await
                .expect("row")
                .expect("the emptied row stays");
            assert!(row.erased_at.is_some());
            assert!(
                row.display_name.is_none()
                    && row.primary_email.is_none()
                    && row.primary_phone.is_none()
            );
            assert!(tx.identities_of(t.id, id).await.expect("ids").is_empty());
            assert!(
                tx.all_interactions_of(t.id, id)
                    .await
                    .expect("timeline")
                    .is_empty()
            );
            assert!(tx.consents_of(t.id, id).await.expect("consents").is_empty());
            assert!(tx.merges_of(t.id, id).await.expect("merges").is_empty());
            assert!(
                tx.customer_channels(t.id, id)
                    .await
                    .expect("channels")
                    .is_empty()
            );
        }
        assert!(
            tx.recent_outbox(t.id, 100)
                .await
                .expect("outbox")
                .iter()
                .all(|m| m.destination != EMAIL)
        );
        // The bystander is untouched.
        assert_eq!(
            tx.all_interactions_of(t.id, bystander.customer_id)
                .await
                .expect("timeline")
                .len(),
            1
        );
        drop(tx);

        // A replay of the erased past is refused; the same identifiers writing now are a new person.
        let replay = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                0,
                ids(Some(EMAIL), None, "Ines Ortega"),
                "Where is my order?",
            ),
        )
        .await;
        assert!(matches!(replay, Err(ServiceError::Gone(_))), "{replay:?}");
        let mut back = event(
            Channel::Email,
            0,
            ids(Some(EMAIL), None, "Ines Ortega"),
            "Hello again",
        );
        back.occurred_at = Utc::now() + Duration::seconds(1);
        let again = ingest_event(&store, &t, &SYSTEM, back)
            .await
            .expect("comes back");
        assert_eq!(again.decision, Decision::Created);
        assert_ne!(again.customer_id, a);
        let fresh = customer_profile(&store, &t, again.customer_id)
            .await
            .expect("new profile");
        assert_eq!(fresh.identities.len(), 1);
        let export = export_customer(&store, &t, &admin, again.customer_id)
            .await
            .expect("export");
        assert_eq!(export.timeline.len(), 1, "no history came back");
    }
);

on_both!(
    expired_codes_and_old_messages_are_purged,
    |store: Store| async move {
        let t = tenant(&store).await;
        ines(&store, &t).await;
        let now = Utc::now();
        request_code_at(&store, &t, EMAIL, now - Duration::days(31))
            .await
            .expect("an old code");
        request_code_at(&store, &t, EMAIL, now)
            .await
            .expect("a fresh code");
        let purged = spine_core::services::housekeeping::purge_expired(&store, &t, now)
            .await
            .expect("purge");
        assert_eq!((purged.codes, purged.messages), (1, 1), "{purged:?}");
        assert_eq!(
            outbox_len(&store, &t).await,
            1,
            "the fresh code's message stays"
        );
        let again = spine_core::services::housekeeping::purge_expired(&store, &t, now)
            .await
            .expect("purge again");
        assert_eq!(again, Default::default());
    }
);

on_both!(
    a_merged_profile_keeps_the_persons_latest_marketing_choice,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let person = |email: &'static str, minutes: i64| {
            let store = store.clone();
            let t = t.clone();
            async move {
                ingest_event(
                    &store,
                    &t,
                    &SYSTEM,
                    event(
                        Channel::Email,
                        minutes,
                        ids(Some(email), None, "Pat Doe"),
                        "hi",
                    ),
                )
                .await
                .expect("ingest")
                .customer_id
            }
        };
        let (old, new) = (
            person("pat@old.example", 0).await,
            person("pat@new.example", 5).await,
        );
        let choose = |id: Uuid, granted: bool| {
            let (store, t, admin) = (store.clone(), t.clone(), admin.clone());
            async move {
                update_customer(
                    &store,
                    &t,
                    &admin,
                    id,
                    &ProfileUpdate {
                        marketing_opt_in: Some(granted),
                        ..Default::default()
                    },
                )
                .await
                .expect("choice");
            }
        };
        // Opted in on the old profile; later opted in, then out, on the new one.
        choose(old, true).await;
        choose(new, true).await;
        choose(new, false).await;
        merge(&store, &t, &admin, old, new).await.expect("merge");
        let merged = customer_profile(&store, &t, old).await.expect("profile");
        assert!(
            !merged.preferences.marketing_opt_in,
            "the latest choice was no, whichever profile survives"
        );
    }
);
