//! Staff sign-in, sessions, CSRF tokens and role checks, on SQLite (a real file) and on
//! PostgreSQL (SPINE_TEST_PG_URL, created by `scripts/test.sh`). Tests isolate themselves by tenant.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use spine_core::access::Permission;
use spine_core::services::auth::{
    ABSOLUTE_LIFETIME, ClientInfo, IDLE_TIMEOUT, SLIDE_STEP, authenticate, authenticate_at,
    sign_in, sign_in_at, sign_out,
};
use spine_core::services::staff::{create_user, disable_user};
use spine_core::services::tenants::ensure_tenant;
use spine_core::store::AuditRecord;
use spine_core::types::Role;
use spine_core::{ServiceError, Store, Tenant};

#[macro_use]
mod common;

const PASSWORD: &str = "correct horse battery";

/// A fresh tenant with one staff member per role (emails `ROLE@example.com`).
async fn tenant_with_staff(store: &Store) -> Tenant {
    let slug = format!("t-{}", Uuid::new_v4().simple());
    let tenant = ensure_tenant(store, &slug, "Test Co", "US")
        .await
        .expect("tenant");
    for role in Role::ALL {
        create_user(
            store,
            &tenant,
            &format!("{role}@example.com"),
            &format!("{} Person", role.label()),
            *role,
            PASSWORD,
        )
        .await
        .expect("user");
    }
    tenant
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("127.0.0.1".to_owned()),
        user_agent: Some("tests".to_owned()),
    }
}

async fn audit(store: &Store, tenant: &Tenant) -> Vec<AuditRecord> {
    let mut tx = store.read().await.expect("read");
    tx.recent_audit(tenant.id, 100).await.expect("audit")
}

fn actions(entries: &[AuditRecord]) -> Vec<&str> {
    entries.iter().map(|e| e.action.as_str()).collect()
}

fn at(hours: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
        + chrono::Duration::hours(hours)
}

on_both!(
    signing_in_opens_a_session_the_token_finds_again_and_audits_it,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let signed_in = sign_in(&store, &tenant, " Agent@Example.com ", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        assert_eq!(signed_in.session.staff.email, "agent@example.com");
        assert_eq!(signed_in.session.staff.role, Role::Agent);
        assert_eq!(signed_in.session.staff.tenant_id, tenant.id);

        let found = authenticate(&store, &tenant, signed_in.token.as_str())
            .await
            .expect("authenticate")
            .expect("live session");
        assert_eq!(found.staff, signed_in.session.staff);
        assert_eq!(found.csrf_token(), signed_in.session.csrf_token());

        let entries = audit(&store, &tenant).await;
        let entry = entries
            .iter()
            .find(|e| e.action == "staff.signed_in")
            .expect("audited");
        assert_eq!(entry.actor_kind, "staff");
        assert_eq!(entry.actor_label, "agent@example.com");
        assert_eq!(entry.actor_id, Some(found.staff.id.to_string()));
        assert_eq!(entry.ip.as_deref(), Some("127.0.0.1"));
    }
);

on_both!(
    the_database_holds_only_the_tokens_hash,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let signed_in = sign_in(&store, &tenant, "admin@example.com", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        let mut tx = store.read().await.expect("read");
        assert!(
            tx.session_with_user(tenant.id, signed_in.token.as_str())
                .await
                .expect("lookup")
                .is_none(),
            "the raw token is not a session id"
        );
    }
);

on_both!(
    wrong_password_and_unknown_email_are_refused_alike_and_write_nothing,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let before = audit(&store, &tenant).await.len();
        for (email, password) in [
            ("agent@example.com", "wrong password here"),
            ("nobody@example.com", PASSWORD),
            ("not an email", PASSWORD),
            ("agent@example.com", ""),
        ] {
            let outcome = sign_in(&store, &tenant, email, password, &client())
                .await
                .expect("no error");
            assert!(outcome.is_none(), "{email} / {password:?} refused");
        }
        let too_long = "x".repeat(5000);
        assert!(
            sign_in(&store, &tenant, "agent@example.com", &too_long, &client())
                .await
                .expect("no error")
                .is_none()
        );
        assert_eq!(audit(&store, &tenant).await.len(), before);
    }
);

on_both!(
    a_disabled_user_cannot_sign_in_and_loses_open_sessions,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let open = sign_in(&store, &tenant, "agent@example.com", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        disable_user(&store, &tenant, "agent@example.com")
            .await
            .expect("disable");
        assert!(
            sign_in(&store, &tenant, "agent@example.com", PASSWORD, &client())
                .await
                .expect("no error")
                .is_none()
        );
        assert!(
            authenticate(&store, &tenant, open.token.as_str())
                .await
                .expect("authenticate")
                .is_none(),
            "a disabled user's session no longer counts"
        );
    }
);

on_both!(
    sessions_expire_when_idle_and_after_the_absolute_lifetime,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let signed_in = sign_in_at(
            &store,
            &tenant,
            "agent@example.com",
            PASSWORD,
            &client(),
            at(0),
        )
        .await
        .expect("sign in")
        .expect("accepted");
        let token = signed_in.token.as_str();
        assert_eq!(signed_in.session.expires_at, at(0) + IDLE_TIMEOUT);

        // Within the idle timeout: alive, and the expiry slides forward.
        let alive = authenticate_at(&store, &tenant, token, at(11))
            .await
            .expect("authenticate")
            .expect("alive after 11 idle hours");
        assert_eq!(alive.expires_at, at(11) + IDLE_TIMEOUT);

        // A request moments later does not write again (the step is 5 minutes).
        let again = authenticate_at(&store, &tenant, token, at(11) + SLIDE_STEP / 2)
            .await
            .expect("authenticate")
            .expect("alive");
        assert_eq!(again.expires_at, at(11) + IDLE_TIMEOUT);

        // Active every 11 hours for a week: still ends at the absolute lifetime.
        let mut hour = 11;
        while hour + 11 < ABSOLUTE_LIFETIME.num_hours() {
            hour += 11;
            let s = authenticate_at(&store, &tenant, token, at(hour))
                .await
                .expect("authenticate")
                .expect("alive while active");
            assert!(s.expires_at <= at(0) + ABSOLUTE_LIFETIME);
        }
        assert!(
            authenticate_at(&store, &tenant, token, at(0) + ABSOLUTE_LIFETIME)
                .await
                .expect("authenticate")
                .is_none(),
            "a week after sign-in the session is over"
        );

        // Idle past the timeout: over, and the row is gone.
        let idle = sign_in_at(
            &store,
            &tenant,
            "agent@example.com",
            PASSWORD,
            &client(),
            at(0),
        )
        .await
        .expect("sign in")
        .expect("accepted");
        assert!(
            authenticate_at(&store, &tenant, idle.token.as_str(), at(12))
                .await
                .expect("authenticate")
                .is_none()
        );
        let mut tx = store.read().await.expect("read");
        assert_eq!(
            tx.count_sessions_of_user(tenant.id, idle.session.staff.id)
                .await
                .expect("count"),
            0,
            "expired sessions are deleted"
        );
    }
);

on_both!(
    unknown_or_malformed_tokens_and_other_tenants_find_nothing,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let other = tenant_with_staff(&store).await;
        let signed_in = sign_in(&store, &tenant, "agent@example.com", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        assert!(
            authenticate(&store, &other, signed_in.token.as_str())
                .await
                .expect("authenticate")
                .is_none(),
            "a session belongs to its tenant"
        );
        for token in ["", "garbage", &"0".repeat(64), "'; drop table sessions; --"] {
            assert!(
                authenticate(&store, &tenant, token)
                    .await
                    .expect("authenticate")
                    .is_none()
            );
        }
    }
);

on_both!(
    signing_out_deletes_the_session_and_audits_it_once,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let signed_in = sign_in(&store, &tenant, "manager@example.com", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        sign_out(&store, &tenant, &signed_in.session, &client())
            .await
            .expect("sign out");
        assert!(
            authenticate(&store, &tenant, signed_in.token.as_str())
                .await
                .expect("authenticate")
                .is_none()
        );
        // A second sign-out (another tab) is not an error and records nothing more.
        sign_out(&store, &tenant, &signed_in.session, &client())
            .await
            .expect("sign out again");
        let entries = audit(&store, &tenant).await;
        assert_eq!(
            actions(&entries)
                .iter()
                .filter(|a| **a == "staff.signed_out")
                .count(),
            1
        );
    }
);

on_both!(
    csrf_tokens_are_per_session_and_must_match_exactly,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let a = sign_in(&store, &tenant, "agent@example.com", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        let b = sign_in(&store, &tenant, "agent@example.com", PASSWORD, &client())
            .await
            .expect("sign in")
            .expect("accepted");
        let session = authenticate(&store, &tenant, a.token.as_str())
            .await
            .expect("authenticate")
            .expect("live");
        assert_ne!(a.session.csrf_token(), b.session.csrf_token());
        assert!(session.csrf_matches(a.session.csrf_token()));
        assert!(
            !session.csrf_matches(b.session.csrf_token()),
            "another session's token"
        );
        assert!(!session.csrf_matches(""));
        let token = a.session.csrf_token();
        assert!(!session.csrf_matches(&token[..token.len() - 1]));
        assert!(!session.csrf_matches(&token.to_uppercase()));
    }
);

on_both!(
    roles_are_refused_what_they_may_not_do,
    |store: Store| async move {
        let tenant = tenant_with_staff(&store).await;
        let session = |email: &'static str| {
            let store = store.clone();
            let tenant = tenant.clone();
            async move {
                sign_in(&store, &tenant, email, PASSWORD, &client())
                    .await
                    .expect("sign in")
                    .expect("accepted")
                    .session
            }
        };
        let agent = session("agent@example.com").await;
        let manager = session("manager@example.com").await;
        let admin = session("admin@example.com").await;

        for permission in Permission::ALL {
            assert!(admin.authorize(*permission).is_ok(), "{permission:?}");
        }
        assert!(agent.authorize(Permission::EditCustomers).is_ok());
        assert!(matches!(
            agent.authorize(Permission::MergeCustomers),
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            agent.authorize(Permission::ViewAnalytics),
            Err(ServiceError::Forbidden)
        ));
        assert!(manager.authorize(Permission::ViewCustomers).is_ok());
        assert!(manager.authorize(Permission::ViewAnalytics).is_ok());
        for permission in [
            Permission::EditCustomers,
            Permission::ReviewMatches,
            Permission::ManageSettings,
        ] {
            assert!(matches!(
                manager.authorize(permission),
                Err(ServiceError::Forbidden)
            ));
        }
        assert_eq!(
            agent.actor().label(),
            "agent@example.com",
            "the audit log names the person"
        );
    }
);
