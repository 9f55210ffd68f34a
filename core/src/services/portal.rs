//! The customer's own page (`/me`): sign-in with a one-time code sent to an email address or a
//! phone number Spine already holds for them, and what they can do once signed in.
//!
//! Codes are six digits, stored only as a hash keyed by the destination, valid for
//! [`CODE_TTL`], used once, and checked at most [`MAX_ATTEMPTS`] times; a destination gets at
//! most [`MAX_CODES`] codes per [`CODE_WINDOW`]. Asking for a code answers the same whether or
//! not the destination is known, so the form does not tell who is a customer. Codes leave
//! through the outbox (see the server's dispatcher): SMTP when configured, else the server log
//! and the admin outbox page, for development.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use spine_engine::normalize::email::Email;
use spine_engine::normalize::phone::Phone;

use crate::services::auth::{SessionToken, constant_time_eq, random_hex};
use crate::services::customers::{ProfileUpdate, full_profile, update_customer};
use crate::services::outbox::mask_destination;
use crate::services::review::queue_review_item;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit};
use crate::store::{
    CustomerRow, CustomerSessionRow, NewOtpCode, NewOutboxMessage, NewReviewItem, Store, Tx,
};
use crate::types::CustomerProfile;

pub const CODE_TTL: Duration = Duration::minutes(10);
pub const CODE_WINDOW: Duration = Duration::minutes(15);
pub const MAX_CODES: i64 = 3;
pub const MAX_ATTEMPTS: i64 = 5;
/// Code requests one client address may make per [`CODE_WINDOW`], whatever the destinations.
pub const MAX_REQUESTS_PER_CLIENT: i64 = 10;
/// Code requests the whole tenant answers per [`CODE_WINDOW`]: a ceiling on what a botnet
/// spread over many addresses can make Spine send.
pub const MAX_REQUESTS_OVERALL: i64 = 500;
/// A customer's session is short: they come to change a setting or download their data.
pub const SESSION_LIFETIME: Duration = Duration::hours(2);

/// Where a code goes: an email address or a phone number, normalized.
#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    Email(String),
    Phone(String),
}

impl Destination {
    /// Reads what the person typed: an address when it has an `@`, else a phone number in the
    /// tenant's default region.
    pub fn parse(tenant: &Tenant, raw: &str) -> ServiceResult<Destination> {
        let raw = raw.trim();
        let invalid = || {
            ServiceError::invalid(
                "destination",
                "enter the email address or phone number you use with us",
            )
        };
        if raw.is_empty() || raw.len() > 320 {
            return Err(invalid());
        }
        if raw.contains('@') {
            Email::parse(raw)
                .map(|e| Destination::Email(e.as_str().to_owned()))
                .map_err(|_| invalid())
        } else {
            Phone::parse(raw, tenant.region)
                .map(|p| Destination::Phone(p.e164().to_owned()))
                .map_err(|_| invalid())
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Destination::Email(_) => "email",
            Destination::Phone(_) => "phone",
        }
    }

    fn value(&self) -> &str {
        match self {
            Destination::Email(v) | Destination::Phone(v) => v,
        }
    }

    /// The outbox channel that reaches it.
    fn channel(&self) -> &'static str {
        match self {
            Destination::Email(_) => "email",
            Destination::Phone(_) => "sms",
        }
    }

    /// For logs and screens: `j***@example.com`, `+1******4567`.
    pub fn masked(&self) -> String {
        mask_destination(self.channel(), self.value())
    }

    fn hash(&self, tenant: &Tenant) -> String {
        destination_hash(tenant, self.kind(), self.value())
    }
}

/// Codes are filed under this hash of where they went, not the address itself.
fn destination_hash(tenant: &Tenant, kind: &str, value: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(tenant.id.as_bytes())
            .chain_update(kind)
            .chain_update([0])
            .chain_update(value)
            .finalize(),
    )
}

/// A code's hash, keyed by where it was sent, so equal codes for two people hash apart.
fn code_hash(destination_hash: &str, code: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(destination_hash)
            .chain_update([0])
            .chain_update(code)
            .finalize(),
    )
}

/// The active profiles that may sign in with this email or phone (sign-in needs exactly one):
/// those holding it as asserted by a channel or verified by the customer, never as a claim
/// someone wrote in a message or typed for them (see [`crate::types::Assurance`]).
async fn holder(tx: &mut Tx, tenant: &Tenant, to: &Destination) -> ServiceResult<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = tx
        .identities_matching(tenant.id, to.kind(), "", to.value())
        .await?
        .into_iter()
        .filter(|i| i.assurance().can_sign_in())
        .map(|i| i.customer_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Names one code request: the sign-in form sends it back with the code. Requests for unknown
/// destinations get one too (naming nothing), so the answer tells no one who is a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge(pub Uuid);

/// Sends a sign-in code when the destination belongs to exactly one profile. The answer is the
/// same either way; only the rate limit is told.
pub async fn request_code(
    store: &Store,
    tenant: &Tenant,
    raw_destination: &str,
) -> ServiceResult<Challenge> {
    request_code_at(store, tenant, raw_destination, Utc::now()).await
}

/// [`request_code`] from a client address: past the per-address or the tenant-wide limit the
/// answer is the same and nothing is sent.
pub async fn request_code_from(
    store: &Store,
    tenant: &Tenant,
    raw_destination: &str,
    client: &str,
) -> ServiceResult<Challenge> {
    let now = Utc::now();
    // A malformed destination is refused before it counts.
    Destination::parse(tenant, raw_destination)?;
    let mut tx = store.begin().await?;
    let (from_client, _) = tx
        .count_attempt(tenant.id, "code_request_client", client, CODE_WINDOW, now)
        .await?;
    let (overall, _) = tx
        .count_attempt(tenant.id, "code_request_all", "", CODE_WINDOW, now)
        .await?;
    tx.commit().await?;
    if from_client > MAX_REQUESTS_PER_CLIENT || overall > MAX_REQUESTS_OVERALL {
        tracing::warn!(tenant = %tenant.slug, from_client, overall, "sign-in code refused: client or tenant limit");
        return Ok(Challenge(Uuid::new_v4()));
    }
    request_code_at(store, tenant, raw_destination, now).await
}

pub async fn request_code_at(
    store: &Store,
    tenant: &Tenant,
    raw_destination: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Challenge> {
    let to = Destination::parse(tenant, raw_destination)?;
    let destination_hash = to.hash(tenant);
    let mut tx = store.begin().await?;
    let recent = tx
        .count_otp_codes_since(tenant.id, &destination_hash, now - CODE_WINDOW)
        .await?;
    if recent >= MAX_CODES {
        // Answered like any other request: a different answer would tell who is a customer.
        tracing::warn!(destination = %to.masked(), tenant = %tenant.slug, "sign-in code refused: rate limit");
        return Ok(Challenge(Uuid::new_v4()));
    }
    let holders = holder(&mut tx, tenant, &to).await?;
    let [customer_id] = holders[..] else {
        let notified = tx
            .count_outbox_to(tenant.id, to.value(), now - CODE_WINDOW)
            .await?;
        // One notice per window, however often someone asks.
        if holders.len() > 1 && notified == 0 {
            // A shared family phone, say: signing in would show one person another's data.
            tx.insert_outbox(
                tenant.id,
                &NewOutboxMessage {
                    customer_id: None,
                    channel: to.channel(),
                    destination: to.value(),
                    subject: Some("Signing in"),
                    body: "This address or number belongs to more than one customer record, so it \
                           cannot be used to sign in. Please use another one, or contact us.",
                    created_at: now,
                },
            )
            .await?;
            tx.commit().await?;
        }
        tracing::info!(destination = %to.masked(), holders = holders.len(), tenant = %tenant.slug, "no sign-in code sent");
        return Ok(Challenge(Uuid::new_v4()));
    };
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let challenge = tx
        .insert_otp_code(
            tenant.id,
            &NewOtpCode {
                customer_id,
                destination_hash: &destination_hash,
                code_hash: &code_hash(&destination_hash, &code),
                created_at: now,
                expires_at: now + CODE_TTL,
            },
        )
        .await?;
    let body = format!(
        "Your sign-in code for {} is {code}. It expires in {} minutes. If you did not ask for it, ignore this message.",
        tenant.name,
        CODE_TTL.num_minutes()
    );
    tx.insert_outbox(
        tenant.id,
        &NewOutboxMessage {
            customer_id: Some(customer_id),
            channel: to.channel(),
            destination: to.value(),
            subject: Some("Your sign-in code"),
            body: &body,
            created_at: now,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(destination = %to.masked(), tenant = %tenant.slug, "sign-in code queued");
    Ok(Challenge(challenge))
}

/// A signed-in customer.
#[derive(Clone)]
pub struct CustomerSession {
    pub customer_id: Uuid,
    id: String,
    csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for CustomerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerSession")
            .field("customer_id", &self.customer_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl CustomerSession {
    pub fn actor(&self) -> Actor {
        Actor::Customer {
            id: self.customer_id,
        }
    }

    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    pub fn csrf_matches(&self, presented: &str) -> bool {
        constant_time_eq(self.csrf_token.as_bytes(), presented.as_bytes())
    }
}

/// A successful sign-in: the token for the `spine_me` cookie, and the session.
#[derive(Debug)]
pub struct CustomerSignedIn {
    pub token: SessionToken,
    pub session: CustomerSession,
}

const WRONG_CODE: &str = "that code is not right, or it has expired; ask for a new one";

/// Checks a code; the right one, in time, the newest sent to its destination, used once,
/// opens a session. A wrong one counts against the code, which stops working after
/// [`MAX_ATTEMPTS`].
pub async fn verify_code(
    store: &Store,
    tenant: &Tenant,
    challenge: Challenge,
    code: &str,
) -> ServiceResult<CustomerSignedIn> {
    verify_code_at(store, tenant, challenge, code, Utc::now()).await
}

pub async fn verify_code_at(
    store: &Store,
    tenant: &Tenant,
    challenge: Challenge,
    code: &str,
    now: DateTime<Utc>,
) -> ServiceResult<CustomerSignedIn> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ServiceError::invalid(
            "code",
            "the code is the six digits we sent you",
        ));
    }
    let refuse = || ServiceError::invalid("code", WRONG_CODE);
    let mut tx = store.begin().await?;
    let Some(issued) = tx.otp_code(tenant.id, challenge.0).await? else {
        return Err(refuse());
    };
    // Asking again replaces the code: only the newest one for a destination works.
    let newest = tx
        .latest_otp_code(tenant.id, &issued.destination_hash)
        .await?
        .is_some_and(|latest| latest.id == issued.id);
    if !newest
        || issued.used_at.is_some()
        || issued.expires_at <= now
        || issued.attempts >= MAX_ATTEMPTS
    {
        return Err(refuse());
    }
    if !constant_time_eq(
        code_hash(&issued.destination_hash, &code).as_bytes(),
        issued.code_hash.as_bytes(),
    ) {
        tx.count_otp_attempt(tenant.id, issued.id).await?;
        tx.commit().await?;
        tracing::warn!(customer = %issued.customer_id, attempts = issued.attempts + 1, "wrong sign-in code");
        return Err(refuse());
    }
    if !tx.use_otp_code(tenant.id, issued.id, now).await? {
        return Err(refuse());
    }
    let customer = current_profile(&mut tx, tenant, issued.customer_id)
        .await?
        .ok_or_else(refuse)?;
    // Receiving the code proves the address or number is theirs.
    for identity in tx.identities_of(tenant.id, customer.id).await? {
        if destination_hash(tenant, &identity.kind, &identity.value) == issued.destination_hash {
            tx.verify_identity(tenant.id, customer.id, &identity.kind, &identity.value)
                .await?;
        }
    }
    // The same kind of token as a staff session's, in a cookie of its own.
    let token = SessionToken::generate();
    let row = CustomerSessionRow {
        id: token.id(),
        customer_id: customer.id,
        csrf_token: random_hex(),
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
    };
    tx.insert_customer_session(tenant.id, &row).await?;
    let actor = Actor::Customer { id: customer.id };
    tx.append_audit(
        tenant.id,
        &audit(&actor, "customer.signed_in", "customer")
            .entity(customer.id)
            .customer(customer.id),
    )
    .await?;
    tx.commit().await?;
    Ok(CustomerSignedIn {
        token,
        session: CustomerSession {
            customer_id: row.customer_id,
            id: row.id,
            csrf_token: row.csrf_token,
            expires_at: row.expires_at,
        },
    })
}

/// The profile a customer now is: merges move people, so a session follows `merged_into`.
/// `None` when it was erased or deleted.
async fn current_profile(
    tx: &mut Tx,
    tenant: &Tenant,
    mut id: Uuid,
) -> ServiceResult<Option<CustomerRow>> {
    for _ in 0..16 {
        let Some(row) = tx.customer(tenant.id, id).await? else {
            return Ok(None);
        };
        match row.merged_into {
            Some(next) => id = next,
            None if row.erased_at.is_none() && row.deleted_at.is_none() => return Ok(Some(row)),
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// The customer a `spine_me` cookie names, if its session is live.
pub async fn authenticate(
    store: &Store,
    tenant: &Tenant,
    token: &str,
) -> ServiceResult<Option<CustomerSession>> {
    let Some(token) = SessionToken::parse(token) else {
        return Ok(None);
    };
    let id = token.id();
    let mut tx = store.read().await?;
    let Some(row) = tx.customer_session(tenant.id, &id).await? else {
        return Ok(None);
    };
    if row.expires_at <= Utc::now() {
        return Ok(None);
    }
    let Some(customer) = current_profile(&mut tx, tenant, row.customer_id).await? else {
        return Ok(None);
    };
    Ok(Some(CustomerSession {
        customer_id: customer.id,
        id: row.id,
        csrf_token: row.csrf_token,
        expires_at: row.expires_at,
    }))
}

pub async fn sign_out(
    store: &Store,
    tenant: &Tenant,
    session: &CustomerSession,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    tx.delete_customer_session(tenant.id, &session.id).await?;
    tx.commit().await?;
    Ok(())
}

/// What the customer sees of themselves.
pub async fn my_profile(
    store: &Store,
    tenant: &Tenant,
    session: &CustomerSession,
) -> ServiceResult<CustomerProfile> {
    let mut tx = store.read().await?;
    let row = current_profile(&mut tx, tenant, session.customer_id)
        .await?
        .ok_or(ServiceError::NotFound("customer"))?;
    full_profile(&mut tx, tenant.id, row).await
}

/// The customer changes their name and preferences (the same use case staff use, limited to
/// what is theirs to change).
pub async fn update_my_profile(
    store: &Store,
    tenant: &Tenant,
    session: &CustomerSession,
    update: &ProfileUpdate,
) -> ServiceResult<CustomerProfile> {
    update_customer(store, tenant, &session.actor(), session.customer_id, update).await
}

/// "This is not me": the customer says one identifier linked to them is someone else's. A
/// person decides (a review item); nothing is unlinked silently.
pub async fn dispute_identity(
    store: &Store,
    tenant: &Tenant,
    session: &CustomerSession,
    identity_id: Uuid,
) -> ServiceResult<Uuid> {
    let mut tx = store.begin().await?;
    let identity = tx
        .identities_of(tenant.id, session.customer_id)
        .await?
        .into_iter()
        .find(|i| i.id == identity_id)
        .ok_or(ServiceError::NotFound("identifier"))?;
    let disputed = json!({ "identity_id": identity.id });
    if let Some(open) = tx
        .open_review_items_about(tenant.id, session.customer_id)
        .await?
        .into_iter()
        .find(|item| item.evidence.0.get("disputed") == Some(&disputed))
    {
        return Ok(open.id);
    }
    // The profile the identifier first arrived on, when a merge brought it here: the merge is
    // the likely mistake, and the review shows both sides.
    let candidates = if identity.origin_customer_id != session.customer_id {
        vec![identity.origin_customer_id]
    } else {
        Vec::new()
    };
    let item = queue_review_item(
        &mut tx,
        tenant.id,
        &session.actor(),
        &NewReviewItem {
            reason: format!(
                "disputed: the customer says the {} {} is not theirs",
                identity.kind,
                mask_identifier(&identity.kind, &identity.value)
            ),
            subject_customer_id: session.customer_id,
            candidate_ids: candidates,
            evidence: json!({
                "disputed": disputed,
                "kind": identity.kind,
                "provider": identity.provider,
                "value": identity.value,
            }),
            score: 0.0,
            interaction_id: None,
            created_at: Utc::now(),
        },
        json!({ "disputed_kind": identity.kind }),
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

/// The customer's open disputes, for the staff's view of the profile.
pub async fn open_disputes(
    store: &Store,
    tenant: &Tenant,
    customer_id: Uuid,
) -> ServiceResult<Vec<crate::types::Dispute>> {
    let mut tx = store.read().await?;
    let items = tx.open_review_items_about(tenant.id, customer_id).await?;
    Ok(items
        .into_iter()
        .filter(|item| {
            item.subject_customer_id == customer_id && item.evidence.0.get("disputed").is_some()
        })
        .filter_map(|item| {
            let evidence = &item.evidence.0;
            let text = |key: &str| {
                evidence
                    .get(key)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            Some(crate::types::Dispute {
                item_id: item.id,
                kind: text("kind")?,
                value: text("value")?,
                created_at: item.created_at,
            })
        })
        .collect())
}

fn mask_identifier(kind: &str, value: &str) -> String {
    match kind {
        "email" | "phone" => mask_destination(kind, value),
        _ => value.to_owned(),
    }
}
