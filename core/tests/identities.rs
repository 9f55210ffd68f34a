//! Identifiers by hand on both backends: staff add one (normalized, recorded as entered by staff,
//! refused when a profile already holds it), an admin verifies one or moves one to a new or
//! chosen profile, each edit is audited with its reason and undone exactly, and only while no
//! later change stands.

use uuid::Uuid;

use spine_core::services::audit_log::{AuditSearch, search_audit};
use spine_core::services::customers::customer_profile;
use spine_core::services::identities::{
    add_identity, identity_edits, undo_identity_edit, unlink_identity, verify_identity,
};
use spine_core::services::ingest::ingest_event;
use spine_core::services::privacy::erase_customer;
use spine_core::types::{Assurance, Channel, IdentityAction, NewIdentifier, Role, UnlinkTo};
use spine_core::{Actor, ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, merge, outbox_len, staff, tenant};

async fn person(store: &Store, t: &Tenant, name: &str, email: &str, phone: Option<&str>) -> Uuid {
    ingest_event(
        store,
        t,
        &SYSTEM,
        event(Channel::Email, 0, ids(Some(email), phone, name), "hello"),
    )
    .await
    .expect("ingest")
    .customer_id
}

fn new(kind: &str, provider: Option<&str>, value: &str) -> NewIdentifier {
    NewIdentifier::from_form(
        kind,
        provider.unwrap_or(""),
        value.into(),
        "the customer told us on the phone".into(),
    )
}

/// The profile's identifiers as `kind:value`, sorted.
async fn held(store: &Store, t: &Tenant, id: Uuid) -> Vec<String> {
    let mut all: Vec<String> = customer_profile(store, t, id)
        .await
        .expect("profile")
        .identities
        .into_iter()
        .map(|i| format!("{}:{}", i.kind, i.value))
        .collect();
    all.sort();
    all
}

async fn actions(store: &Store, t: &Tenant, id: Uuid) -> Vec<String> {
    search_audit(
        store,
        t,
        &AuditSearch {
            customer_id: Some(id),
            ..Default::default()
        },
        0,
    )
    .await
    .expect("audit")
    .entries
    .into_iter()
    .map(|e| e.action)
    .collect()
}

fn refusal<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> &'static str {
    match result {
        Err(ServiceError::Forbidden) => "forbidden",
        Err(ServiceError::Conflict(_)) => "conflict",
        Err(ServiceError::Invalid { .. }) => "invalid",
        Err(ServiceError::NotFound(_)) => "not found",
        other => panic!("expected a refusal, got {other:?}"),
    }
}

on_both!(
    staff_add_an_identifier_and_undo_it,
    |store: Store| async move {
        let t = tenant(&store).await;
        let agent = staff(Role::Agent);
        let ana = person(&store, &t, "Ana Lopez", "ana@example.com", None).await;
        let bo = person(&store, &t, "Bo Chen", "bo@example.com", None).await;

        let edit = add_identity(
            &store,
            &t,
            &agent,
            ana,
            &new("phone", None, "(201) 555-0123"),
        )
        .await
        .expect("add a phone");
        assert_eq!(edit.action, IdentityAction::Added);
        assert_eq!(edit.value, "+12015550123", "normalized to E.164");
        let profile = customer_profile(&store, &t, ana).await.expect("profile");
        let phone = profile
            .identities
            .iter()
            .find(|i| i.kind == "phone")
            .expect("the phone is on the profile");
        // Entered by staff: it receives no sign-in code unless an admin verifies it.
        assert_eq!(phone.assurance, Assurance::Staff);
        assert_eq!(profile.primary_phone.as_deref(), Some("+12015550123"));

        // Refusals write nothing.
        let before = held(&store, &t, ana).await;
        for (who, identifier, refused) in [
            (
                agent.clone(),
                new("phone", None, "+1 201 555 0123"),
                "conflict",
            ),
            (
                agent.clone(),
                new("email", None, "BO@example.com"),
                "conflict",
            ),
            (
                staff(Role::Manager),
                new("email", None, "x@example.com"),
                "forbidden",
            ),
            (
                agent.clone(),
                new("email", None, "not an address"),
                "invalid",
            ),
            (agent.clone(), new("login", None, "ana"), "invalid"),
            (agent.clone(), new("handle", None, "ana"), "invalid"),
            (
                agent.clone(),
                NewIdentifier {
                    reason: "  ".into(),
                    ..new("email", None, "y@example.com")
                },
                "invalid",
            ),
        ] {
            let label = format!("{identifier:?}");
            assert_eq!(
                refusal(add_identity(&store, &t, &who, ana, &identifier).await),
                refused,
                "{label}"
            );
        }
        assert_eq!(
            refusal(
                add_identity(
                    &store,
                    &t,
                    &agent,
                    Uuid::now_v7(),
                    &new("email", None, "z@example.com")
                )
                .await
            ),
            "not found"
        );
        assert_eq!(held(&store, &t, ana).await, before);
        assert_eq!(held(&store, &t, bo).await, ["email:bo@example.com"]);

        let handle = add_identity(
            &store,
            &t,
            &agent,
            ana,
            &new("handle", Some("instagram"), "@ana.lopez"),
        )
        .await
        .expect("add a handle");
        assert_eq!(handle.provider, "instagram");

        // The newest change of each identifier undoes; the phone goes, and with it the primary.
        let undone = undo_identity_edit(&store, &t, &agent, edit.id)
            .await
            .expect("undo");
        assert!(undone.undone_at.is_some());
        assert_eq!(undone.undone_by.as_deref(), Some("agent@example.com"));
        let profile = customer_profile(&store, &t, ana).await.expect("profile");
        assert!(profile.identities.iter().all(|i| i.kind != "phone"));
        assert_eq!(profile.primary_phone, None);
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &agent, edit.id).await),
            "conflict"
        );
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &agent, Uuid::now_v7()).await),
            "not found"
        );
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &staff(Role::Manager), handle.id).await),
            "forbidden"
        );

        let listed = identity_edits(&store, &t, ana).await.expect("edits");
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].id, handle.id, "newest first");
        assert!(listed[1].undone_at.is_some());
        let log = actions(&store, &t, ana).await;
        assert!(log.contains(&"identity.added".to_owned()), "{log:?}");
        assert!(log.contains(&"identity.added_undone".to_owned()), "{log:?}");
    }
);

on_both!(
    admins_unlink_to_a_new_profile_and_undo_puts_it_back,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let ana = person(
            &store,
            &t,
            "Ana Lopez",
            "ana@example.com",
            Some("+12015550111"),
        )
        .await;
        // A second number, of her husband's phone, was linked to her by a shared booking.
        add_identity(&store, &t, &admin, ana, &new("phone", None, "+12015550199"))
            .await
            .expect("add");
        let profile = customer_profile(&store, &t, ana).await.expect("profile");
        assert_eq!(profile.primary_phone.as_deref(), Some("+12015550111"));
        let wrong = profile
            .identities
            .iter()
            .find(|i| i.value == "+12015550111")
            .expect("the first number")
            .id;

        assert_eq!(
            refusal(
                unlink_identity(
                    &store,
                    &t,
                    &staff(Role::Agent),
                    ana,
                    wrong,
                    UnlinkTo::NewProfile,
                    "his"
                )
                .await
            ),
            "forbidden"
        );
        assert_eq!(
            refusal(
                unlink_identity(
                    &store,
                    &t,
                    &admin,
                    ana,
                    wrong,
                    UnlinkTo::Profile(ana),
                    "his"
                )
                .await
            ),
            "conflict"
        );
        assert_eq!(
            refusal(
                unlink_identity(
                    &store,
                    &t,
                    &admin,
                    ana,
                    wrong,
                    UnlinkTo::Profile(Uuid::now_v7()),
                    "his"
                )
                .await
            ),
            "not found"
        );
        assert_eq!(
            refusal(
                unlink_identity(&store, &t, &admin, ana, wrong, UnlinkTo::NewProfile, "").await
            ),
            "invalid"
        );
        assert_eq!(
            refusal(
                unlink_identity(
                    &store,
                    &t,
                    &admin,
                    ana,
                    Uuid::now_v7(),
                    UnlinkTo::NewProfile,
                    "his"
                )
                .await
            ),
            "not found"
        );

        let edit = unlink_identity(
            &store,
            &t,
            &admin,
            ana,
            wrong,
            UnlinkTo::NewProfile,
            "her husband's",
        )
        .await
        .expect("unlink");
        let his = edit.other_customer_id.expect("a new profile");
        assert!(edit.new_profile);
        assert_eq!(held(&store, &t, his).await, ["phone:+12015550111"]);
        let his_profile = customer_profile(&store, &t, his)
            .await
            .expect("his profile");
        assert_eq!(his_profile.primary_phone.as_deref(), Some("+12015550111"));
        assert_eq!(his_profile.sources, ["manual"]);
        let hers = customer_profile(&store, &t, ana)
            .await
            .expect("her profile");
        assert_eq!(
            hers.primary_phone.as_deref(),
            Some("+12015550199"),
            "her other number"
        );
        assert!(
            actions(&store, &t, ana)
                .await
                .contains(&"identity.unlinked".to_owned())
        );
        assert!(
            actions(&store, &t, his)
                .await
                .contains(&"identity.received".to_owned())
        );
        // Both profiles show the edit.
        assert_eq!(
            identity_edits(&store, &t, his).await.expect("edits")[0].id,
            edit.id
        );

        // The next call from that number is his, not hers.
        let call = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Sms,
                5,
                ids(None, Some("+1 201 555 0111"), "Lee Lopez"),
                "hi",
            ),
        )
        .await
        .expect("sms");
        assert_eq!(call.customer_id, his);

        // He has a message of his own now: undo gives the number back, his profile stays.
        undo_identity_edit(&store, &t, &admin, edit.id)
            .await
            .expect("undo");
        assert!(
            held(&store, &t, ana)
                .await
                .contains(&"phone:+12015550111".to_owned())
        );
        let hers = customer_profile(&store, &t, ana)
            .await
            .expect("her profile");
        assert_eq!(
            hers.primary_phone.as_deref(),
            Some("+12015550111"),
            "primary restored"
        );
        assert!(held(&store, &t, his).await.is_empty());
        assert_eq!(
            customer_profile(&store, &t, his)
                .await
                .expect("his")
                .deleted_at,
            None,
            "a profile with a message of its own is kept"
        );
        assert!(
            actions(&store, &t, ana)
                .await
                .contains(&"identity.unlinked_undone".to_owned())
        );
    }
);

on_both!(
    an_empty_new_profile_goes_with_its_undo_and_later_changes_block_earlier_undos,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let ana = person(
            &store,
            &t,
            "Ana Lopez",
            "ana@example.com",
            Some("+12015550111"),
        )
        .await;
        let bo = person(&store, &t, "Bo Chen", "bo@example.com", None).await;
        let number = customer_profile(&store, &t, ana)
            .await
            .expect("profile")
            .identities
            .into_iter()
            .find(|i| i.kind == "phone")
            .expect("a phone")
            .id;
        let first = unlink_identity(
            &store,
            &t,
            &admin,
            ana,
            number,
            UnlinkTo::NewProfile,
            "not hers",
        )
        .await
        .expect("unlink");
        let made = first.other_customer_id.expect("made");
        // Then from the new profile on to Bo: the first move can no longer be undone.
        let second = unlink_identity(
            &store,
            &t,
            &admin,
            made,
            number,
            UnlinkTo::Profile(bo),
            "Bo's",
        )
        .await
        .expect("move on");
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &admin, first.id).await),
            "conflict"
        );
        assert_eq!(
            held(&store, &t, bo).await,
            ["email:bo@example.com", "phone:+12015550111"]
        );
        undo_identity_edit(&store, &t, &admin, second.id)
            .await
            .expect("undo the second");
        undo_identity_edit(&store, &t, &admin, first.id)
            .await
            .expect("then the first");
        assert!(
            held(&store, &t, ana)
                .await
                .contains(&"phone:+12015550111".to_owned())
        );
        assert!(
            customer_profile(&store, &t, made)
                .await
                .expect("made")
                .deleted_at
                .is_some(),
            "the empty profile made for the number is deleted again"
        );

        // A merge's undo leaves an identifier moved by hand since where it was put.
        let cy = person(
            &store,
            &t,
            "Cy Dunne",
            "cy@example.com",
            Some("+12015550177"),
        )
        .await;
        let dee = person(&store, &t, "Dee Dunne", "dee@example.com", None).await;
        let merged = merge(&store, &t, &admin, dee, cy).await.expect("merge");
        let cys_number = customer_profile(&store, &t, dee)
            .await
            .expect("dee")
            .identities
            .into_iter()
            .find(|i| i.value == "+12015550177")
            .expect("the number came with the merge")
            .id;
        let moved = unlink_identity(
            &store,
            &t,
            &admin,
            dee,
            cys_number,
            UnlinkTo::NewProfile,
            "a shop's",
        )
        .await
        .expect("unlink");
        spine_core::services::merge::undo_merge(&store, &t, &admin, merged.merge_id)
            .await
            .expect("undo the merge");
        assert_eq!(
            held(&store, &t, moved.other_customer_id.expect("made")).await,
            ["phone:+12015550177"]
        );
        assert_eq!(held(&store, &t, cy).await, ["email:cy@example.com"]);

        // An unlink from a profile that was merged since cannot be put back.
        let edit = unlink_identity(
            &store,
            &t,
            &admin,
            ana,
            number,
            UnlinkTo::Profile(bo),
            "Bo's",
        )
        .await
        .expect("unlink to Bo");
        merge(&store, &t, &admin, bo, ana).await.expect("merge");
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &admin, edit.id).await),
            "conflict"
        );
        assert!(
            held(&store, &t, bo)
                .await
                .contains(&"phone:+12015550111".to_owned())
        );
    }
);

on_both!(
    admins_verify_undo_restores_how_it_was_learned_and_erasure_forgets_edits,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let agent = staff(Role::Agent);
        let ana = person(&store, &t, "Ana Lopez", "ana@example.com", None).await;
        let added = add_identity(
            &store,
            &t,
            &agent,
            ana,
            &new("email", None, "ana.work@example.com"),
        )
        .await
        .expect("add");
        assert_eq!(
            refusal(verify_identity(&store, &t, &agent, ana, added.identity_id, "called").await),
            "forbidden"
        );
        assert_eq!(
            refusal(
                verify_identity(
                    &store,
                    &t,
                    &Actor::ApiKey {
                        id: Uuid::now_v7(),
                        name: "crm".into()
                    },
                    ana,
                    added.identity_id,
                    "called"
                )
                .await
            ),
            "forbidden"
        );
        let verified = verify_identity(&store, &t, &admin, ana, added.identity_id, "called back")
            .await
            .expect("verify");
        let assurance = |p: spine_core::types::CustomerProfile| {
            p.identities
                .into_iter()
                .find(|i| i.value == "ana.work@example.com")
                .expect("the address")
                .assurance
        };
        assert_eq!(
            assurance(customer_profile(&store, &t, ana).await.expect("p")),
            Assurance::Verified
        );
        assert_eq!(
            refusal(verify_identity(&store, &t, &admin, ana, added.identity_id, "again").await),
            "conflict"
        );
        // The agent's addition cannot be undone under the admin's verification.
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &agent, added.id).await),
            "conflict"
        );
        assert_eq!(
            refusal(undo_identity_edit(&store, &t, &agent, verified.id).await),
            "forbidden"
        );
        undo_identity_edit(&store, &t, &admin, verified.id)
            .await
            .expect("undo");
        assert_eq!(
            assurance(customer_profile(&store, &t, ana).await.expect("p")),
            Assurance::Staff
        );

        // Someone who talked an agent into adding their address gets no sign-in code at it: the
        // answer reads the same, and nothing is sent.
        add_identity(
            &store,
            &t,
            &agent,
            ana,
            &new("email", None, "caller@example.net"),
        )
        .await
        .expect("add the caller's address");
        let before = outbox_len(&store, &t).await;
        spine_core::services::portal::request_code(&store, &t, "caller@example.net")
            .await
            .expect("the same answer as for any address");
        assert_eq!(outbox_len(&store, &t).await, before, "no code was sent");
        // The address the person wrote from does receive one.
        spine_core::services::portal::request_code(&store, &t, "ana@example.com")
            .await
            .expect("code");
        assert_eq!(outbox_len(&store, &t).await, before + 1);

        erase_customer(&store, &t, &admin, ana)
            .await
            .expect("erase");
        assert!(
            identity_edits(&store, &t, ana)
                .await
                .expect("edits")
                .is_empty()
        );
    }
);
