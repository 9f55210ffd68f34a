//! Resolution's reads and writes: who a sender is, asked of the store. The engine's `sender`
//! module decides (normalized probes, the record it scores, what each identifier becomes); this
//! module finds the profiles a sender shares identifiers with, asks the tenant's model, and
//! writes what was decided. Ingestion, find-or-create and webhooks resolve through it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use spine_engine::identifier::IdentifierKind;
use spine_engine::model::Model;
use spine_engine::normalize::address::AddressInput;
use spine_engine::record::{Field, RawRecord, Record};
use spine_engine::resolve::{
    self, Candidate, MatchLevel, ProfileEvidence, Resolution, ScoredCandidate,
};
pub(crate) use spine_engine::sender::Sender;
use spine_engine::sender::{self, Fate, Landing, Matches, Probe, SenderInput};

use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit};
use crate::store::{CustomerPatch, CustomerRow, IdentityRow, NewCustomer, NewIdentity, Tx};
use crate::types::{Assurance, Channel, Claim, Decision, IdentifiersInput};

impl From<sender::Assurance> for Assurance {
    fn from(value: sender::Assurance) -> Assurance {
        match value {
            sender::Assurance::Claimed => Assurance::Claimed,
            sender::Assurance::Staff => Assurance::Staff,
            sender::Assurance::Asserted => Assurance::Asserted,
            sender::Assurance::Verified => Assurance::Verified,
        }
    }
}

impl From<Assurance> for sender::Assurance {
    fn from(value: Assurance) -> sender::Assurance {
        match value {
            Assurance::Claimed => sender::Assurance::Claimed,
            Assurance::Staff => sender::Assurance::Staff,
            Assurance::Asserted => sender::Assurance::Asserted,
            Assurance::Verified => sender::Assurance::Verified,
        }
    }
}

/// The kind of identifier a channel delivers a message from, which the channel (not the
/// sender) vouches for: the number an SMS, a WhatsApp message or a call came from, an email's
/// From, a store's or a booking system's customer email (where its receipts go), the handle a
/// DM came from. A web chat or a note has none: whatever its visitor typed is their word only.
fn native_kind(channel: Channel) -> Option<IdentifierKind> {
    match channel {
        Channel::Sms | Channel::Whatsapp | Channel::Phone => Some(IdentifierKind::Phone),
        Channel::Email | Channel::Order | Channel::Booking => Some(IdentifierKind::Email),
        Channel::Instagram | Channel::Facebook => Some(IdentifierKind::Handle),
        Channel::Webchat | Channel::Note => None,
    }
}

/// Normalizes what is known of a sender; `channel` is where the message came from (none for a
/// lookup), `text` a message body the sender wrote, searched for phone numbers and emails.
/// A malformed identifier is refused, naming its field.
pub(crate) fn normalize_sender(
    tenant: &Tenant,
    ids: &IdentifiersInput,
    channel: Option<Channel>,
    text: Option<&str>,
) -> ServiceResult<Sender> {
    let input = SenderInput {
        external: ids
            .external
            .as_ref()
            .map(|e| (e.provider.as_str(), e.id.as_str())),
        login: ids.login.as_deref(),
        email: ids.email.as_deref(),
        phone: ids.phone.as_deref(),
        handle: ids
            .handle
            .as_ref()
            .map(|h| (h.platform.as_str(), h.handle.as_str())),
        address: ids.address.as_ref().map(|a| AddressInput {
            line1: &a.line1,
            line2: a.line2.as_deref(),
            city: a.city.as_deref(),
            region: a.region.as_deref(),
            postal_code: a.postal_code.as_deref(),
            country: a.country.as_deref(),
        }),
        name: ids.name.as_deref(),
    };
    Sender::parse(&input, tenant.region, channel.and_then(native_kind), text)
        .map_err(|e| ServiceError::invalid(e.field, e.message))
}

/// What concurrent transactions must not resolve at the same time as this sender
/// (`Tx::lock_keys`).
pub(crate) fn lock_keys(tenant: &Tenant, sender: &Sender) -> Vec<(Uuid, String)> {
    sender
        .lock_keys()
        .into_iter()
        .map(|key| (tenant.id, key))
        .collect()
}

/// When an erased person with the sender's identifiers asked to be forgotten, if one did.
pub(crate) async fn erased_at(
    tx: &mut Tx,
    tenant: &Tenant,
    sender: &Sender,
) -> ServiceResult<Option<DateTime<Utc>>> {
    let hashes = sender.tombstone_hashes(tenant.id.as_bytes());
    Ok(tx.tombstoned_at(tenant.id, &hashes).await?)
}

/// What resolution decided about a sender, with what it saw.
pub(crate) struct Decided {
    pub candidates: Vec<Candidate<Uuid>>,
    pub resolution: Resolution<Uuid>,
    pub matches: Matches<Uuid>,
    /// The candidates' profiles, as read for the decision.
    pub profiles: BTreeMap<Uuid, CustomerRow>,
}

impl Decided {
    /// Fills what the linked profile lacks from what the sender brings (`patch_from`), from the
    /// profile as read for the decision.
    pub(crate) async fn improve(
        &self,
        tx: &mut Tx,
        tenant: &Tenant,
        id: Uuid,
        patch: &CustomerPatch,
    ) -> ServiceResult<()> {
        // Every candidate's profile was read for the decision, in this transaction.
        if let Some(current) = self.profiles.get(&id) {
            tx.improve_customer(tenant.id, current, patch).await?;
        }
        Ok(())
    }

    /// Where the sender landed (`profile`), as the engine's rules for its identifiers see it.
    fn landing<'a>(&'a self, sender: &'a Sender, profile: Uuid) -> Landing<'a, Uuid> {
        Landing {
            sender,
            resolution: &self.resolution,
            candidates: &self.candidates,
            matches: &self.matches,
            profile,
        }
    }
}

/// Which stored identities the sender's probes meet, exactly or as another form: read in one
/// statement, then sorted out probe by probe.
async fn find_matches(
    tx: &mut Tx,
    tenant: &Tenant,
    sender: &Sender,
) -> ServiceResult<Matches<Uuid>> {
    let mut exact = Vec::new();
    let mut keys = Vec::new();
    for probe in sender.probes() {
        let kind = probe.kind.as_str();
        exact.push((kind, probe.provider.as_str(), probe.value.as_str()));
        if probe.match_key != probe.value {
            keys.push((kind, probe.match_key.as_str()));
        }
        if probe.kind == IdentifierKind::Email {
            keys.push((kind, probe.value.as_str()));
        }
        for variant in &probe.variants {
            exact.push((kind, probe.provider.as_str(), variant.as_str()));
        }
    }
    let rows = tx.identities_meeting(tenant.id, &exact, &keys).await?;
    Ok(meetings(sender.probes(), &rows))
}

/// How each probe met the identities read for the sender, in the order the lookups are defined:
/// the same value exactly; then as another form of it (the same provider-canonical key, a
/// stored address whose canonical form is this exact address, a variant spelling).
fn meetings(probes: &[Probe], rows: &[IdentityRow]) -> Matches<Uuid> {
    let mut matches = Matches::default();
    for (at, probe) in probes.iter().enumerate() {
        let kind = probe.kind.as_str();
        let of_kind = || rows.iter().filter(move |r| r.kind == kind);
        let mut add = |row: &IdentityRow, level| {
            matches.add(row.customer_id, at, level, row.assurance().into());
        };
        for row in of_kind().filter(|r| r.provider == probe.provider && r.value == probe.value) {
            add(row, MatchLevel::Exact);
        }
        if probe.match_key != probe.value {
            for row in of_kind().filter(|r| r.match_key == probe.match_key) {
                add(row, MatchLevel::Variant);
            }
        }
        if probe.kind == IdentifierKind::Email {
            // Stored addresses whose canonical form is this exact address (johndoe+shop@ vs johndoe@).
            for row in of_kind().filter(|r| r.match_key == probe.value && r.value != probe.value) {
                add(row, MatchLevel::Variant);
            }
        }
        for variant in &probe.variants {
            for row in of_kind().filter(|r| r.provider == probe.provider && &r.value == variant) {
                add(row, MatchLevel::Variant);
            }
        }
    }
    matches
}

/// Finds the profiles the sender shares identifiers with and decides, with the tenant's model
/// (`matching::current_model`).
pub(crate) async fn decide(
    tx: &mut Tx,
    tenant: &Tenant,
    model: &Model,
    sender: &Sender,
) -> ServiceResult<Decided> {
    let matches = find_matches(tx, tenant, sender).await?;
    let candidates = matches.candidates(sender.probes());
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.id).collect();
    let mut records = BTreeMap::new();
    let mut profiles = BTreeMap::new();
    for row in tx.customers_by_ids(tenant.id, &ids).await? {
        if let Some(display) = &row.display_name {
            let raw = RawRecord {
                id: row.id.to_string(),
                fields: [(Field::FullName, display.clone())].into(),
            };
            records.insert(row.id, Record::from_raw(&raw, tenant.region).0);
        }
        profiles.insert(row.id, row);
    }
    let evidence = ProfileEvidence {
        model,
        incoming: sender.record(),
        records: &records,
    };
    let resolution = resolve::decide_with_model(&candidates, tenant.thresholds, &evidence);
    Ok(Decided {
        candidates,
        resolution,
        matches,
        profiles,
    })
}

/// Where a sender landed, and why.
pub(crate) struct Landed {
    pub customer_id: Uuid,
    pub decision: Decision,
    /// The identifiers the profile was found by ("email", "phone_variant").
    pub matched_by: Vec<String>,
    pub confidence: f64,
    /// Why a person must look, with the profiles to compare.
    pub review: Option<(&'static str, Vec<ScoredCandidate<Uuid>>)>,
    /// What the sender said that did not join the profile, kept with the message.
    pub claims: Vec<Claim>,
    pub resolution: Resolution<Uuid>,
}

/// Resolves a sender and writes the result: the linked profile learns what the sender adds; a
/// new sender, an uncertain one and an ambiguous one get a profile of their own (the latter two
/// with a review for a person); then each identifier joins, stays a claim, or is withheld.
/// Inside the caller's transaction, which holds the sender's locks ([`lock_keys`]).
pub(crate) async fn land(
    tx: &mut Tx,
    tenant: &Tenant,
    actor: &Actor,
    model: &Model,
    sender: &Sender,
    origin: &Origin<'_>,
    seen: DateTime<Utc>,
) -> ServiceResult<Landed> {
    let decided = decide(tx, tenant, model, sender).await?;
    let (customer_id, decision, matched_by, confidence, review) = match &decided.resolution {
        Resolution::Link(best) => {
            decided
                .improve(
                    tx,
                    tenant,
                    best.id,
                    &patch_from(sender, origin.source, seen),
                )
                .await?;
            let kinds = best.matched_kinds();
            (best.id, Decision::Linked, kinds, best.confidence, None)
        }
        Resolution::Create => {
            let id = create_profile(tx, tenant, actor, sender, origin, seen).await?;
            (id, Decision::Created, Vec::new(), 0.0, None)
        }
        Resolution::Review(best) => {
            let id = create_profile(tx, tenant, actor, sender, origin, seen).await?;
            let reason = "possible duplicate: one profile matched below the link threshold";
            let review = Some((reason, vec![best.clone()]));
            (
                id,
                Decision::Review,
                best.matched_kinds(),
                best.confidence,
                review,
            )
        }
        Resolution::Ambiguous(all) => {
            let id = create_profile(tx, tenant, actor, sender, origin, seen).await?;
            let reason = "ambiguous: several profiles match this sender";
            let best = all.first().map(|c| c.confidence).unwrap_or_default();
            let kinds = all
                .iter()
                .flat_map(|c| c.matched_kinds())
                .collect::<std::collections::BTreeSet<_>>();
            let review = Some((reason, all.clone()));
            (
                id,
                Decision::Ambiguous,
                kinds.into_iter().collect(),
                best,
                review,
            )
        }
    };
    let (claims, withheld) =
        settle_identities(tx, tenant, sender, &decided, customer_id, seen).await?;
    if withheld {
        tx.drop_unheld_primaries(tenant.id, customer_id).await?;
    }
    Ok(Landed {
        customer_id,
        decision,
        matched_by,
        confidence,
        review,
        claims,
        resolution: decided.resolution,
    })
}

/// What the sender adds to a profile: a name, an address and a number fill only what the profile
/// lacks (a claim never replaces what it holds), and addresses written in a message are never
/// among them.
pub(crate) fn patch_from(sender: &Sender, source: &str, seen: DateTime<Utc>) -> CustomerPatch {
    let (given, family) = sender.given_and_family();
    CustomerPatch {
        display_name: sender.display_name().map(str::to_owned),
        given_name: given,
        family_name: family,
        primary_email: sender.email().map(|e| e.as_str().to_owned()),
        primary_phone: sender.phone().map(|p| p.e164().to_owned()),
        source: Some(source.to_owned()),
        seen_at: Some(seen),
        name_keys: sender.name_keys(),
    }
}

/// Where a new profile came from: the source (channel or integration) and the campaign.
pub(crate) struct Origin<'a> {
    pub source: &'a str,
    pub campaign: Option<&'a str>,
}

/// A new profile for the sender, audited; its identifiers are linked by the caller.
pub(crate) async fn create_profile(
    tx: &mut Tx,
    tenant: &Tenant,
    actor: &Actor,
    sender: &Sender,
    origin: &Origin<'_>,
    seen: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let Origin { source, campaign } = *origin;
    let patch = patch_from(sender, source, seen);
    let row = tx
        .insert_customer(
            tenant.id,
            &NewCustomer {
                display_name: patch.display_name,
                given_name: patch.given_name,
                family_name: patch.family_name,
                primary_email: patch.primary_email,
                primary_phone: patch.primary_phone,
                lifecycle_stage: None,
                preferred_channel: None,
                sources: vec![source.to_owned()],
                source_campaign: campaign.map(str::to_owned),
                seen_at: seen,
                name_keys: patch.name_keys,
            },
        )
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.created", "customer")
            .entity(row.id)
            .customer(row.id)
            .after(json!({"source": source})),
    )
    .await?;
    Ok(row.id)
}

/// Links every identifier the sender used to the profile, no more trusted than `tie` (how the
/// sender was tied to an existing profile; `None` for a profile the sender made).
pub(crate) async fn link_all(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
    sender: &Sender,
    tie: Option<sender::Assurance>,
    seen: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut links = Vec::with_capacity(sender.probes().len());
    for probe in sender.probes() {
        let assurance = tie.map_or(probe.assurance, |t| probe.assurance.min(t));
        links.extend(
            link_of(
                tx,
                tenant,
                customer_id,
                probe,
                probe.confidence,
                assurance,
                seen,
            )
            .await?,
        );
    }
    tx.upsert_identities(tenant.id, &links).await?;
    Ok(())
}

/// The sender landed on `customer_id` (linked, or a new profile): each identifier joins it,
/// stays with the message as a claim, or is withheld, as the engine's rules decide
/// (`sender::Landing`). Returns the claims, to be kept with the message, and whether an email
/// or a phone stayed off the profile (its primaries must not name it).
async fn settle_identities(
    tx: &mut Tx,
    tenant: &Tenant,
    sender: &Sender,
    decided: &Decided,
    customer_id: Uuid,
    seen: DateTime<Utc>,
) -> ServiceResult<(Vec<Claim>, bool)> {
    let landing = decided.landing(sender, customer_id);
    // The profile's identities are read only when the sender brings a claim they could refuse.
    let verified: Vec<IdentifierKind> = if landing.brings_claim() {
        tx.identities_of(tenant.id, customer_id)
            .await?
            .into_iter()
            .filter(|i| i.assurance() == Assurance::Verified)
            .filter_map(|i| IdentifierKind::parse(&i.kind))
            .collect()
    } else {
        Vec::new()
    };
    let mut claims = Vec::new();
    let mut links = Vec::new();
    let mut withheld = false;
    for (probe, fate) in sender.probes().iter().zip(landing.fates(&verified)) {
        withheld |= probe.is_contact() && !probe.from_text && !matches!(fate, Fate::Link { .. });
        match fate {
            Fate::Link {
                confidence,
                assurance,
            } => links.extend(
                link_of(tx, tenant, customer_id, probe, confidence, assurance, seen).await?,
            ),
            Fate::Claim { holder } => claims.push(Claim {
                kind: probe.kind.as_str().to_owned(),
                value: probe.value.clone(),
                holder,
            }),
            Fate::Withheld => {}
        }
    }
    tx.upsert_identities(tenant.id, &links).await?;
    Ok((claims, withheld))
}

/// The identity `probe` becomes on `customer_id`, unless it is an external id another profile
/// already holds: that one stays there, and the review item carries the conflict. Checked before
/// writing: on PostgreSQL a failed insert would abort the whole transaction.
async fn link_of(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
    probe: &Probe,
    confidence: f64,
    assurance: sender::Assurance,
    seen: DateTime<Utc>,
) -> ServiceResult<Option<NewIdentity>> {
    if probe.exclusive() {
        let holders = tx
            .identity_holders(
                tenant.id,
                probe.kind.as_str(),
                &probe.provider,
                &probe.value,
            )
            .await?;
        if holders.iter().any(|h| *h != customer_id) {
            return Ok(None);
        }
    }
    Ok(Some(NewIdentity {
        customer_id,
        kind: probe.kind.as_str().to_owned(),
        provider: probe.provider.clone(),
        value: probe.value.clone(),
        raw_value: probe.raw.clone().filter(|r| !r.is_empty()),
        match_key: probe.match_key.clone(),
        confidence,
        assurance: assurance.into(),
        seen_at: seen,
    }))
}
