//! Attacks replayed against the real server: each test is what an attacker would send, and
//! checks that it gets them nothing.

mod common;

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::api_key;
use common::console::Console;
use spine_core::Store;
use spine_core::services::tenants::tenant_by_slug;

/// The demo tenant with an API key, as an integration holds one.
struct Target {
    console: Console,
    key: String,
    client: reqwest::Client,
}

impl Target {
    fn start() -> Target {
        let console = Console::sqlite();
        let key = api_key(&console.database_url, "demo", "attacks");
        Target {
            console,
            key,
            client: reqwest::Client::new(),
        }
    }

    async fn api(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.console.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn event(&self, event: Value) -> Value {
        let (status, body) = self
            .api(reqwest::Method::POST, "/events", Some(&event))
            .await;
        assert!(status == 201 || status == 200, "{status} {body}");
        body
    }

    async fn profile(&self, id: &str) -> Value {
        let (status, body) = self
            .api(reqwest::Method::GET, &format!("/customers/{id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Asks `/me` for a sign-in code, as anyone on the internet can.
    async fn ask_for_code(&self, destination: &str) {
        let (status, _, body) = self
            .console
            .post_form(
                "/me/api/request_code",
                &[("destination", destination)],
                None,
                Some(&self.console.server.base),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// The destinations (normalized) the outbox holds a sign-in code for.
    async fn codes_sent_to(&self) -> Vec<String> {
        let store = Store::connect(&self.console.database_url)
            .await
            .expect("open");
        let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
        let mut tx = store.read().await.expect("read");
        tx.recent_outbox(tenant.id, 1000)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.customer_id.is_some())
            .map(|m| m.destination)
            .collect()
    }
}

fn message(channel: &str, identifiers: Value, body: &str, id: &str) -> Value {
    json!({"channel": channel, "direction": "inbound", "kind": "message",
           "occurred_at": "2026-05-01T10:00:00Z", "body": body, "external_id": id,
           "identifiers": identifiers})
}

/// The identity of `kind` and `value` on a profile, if it holds one.
fn identity<'a>(profile: &'a Value, kind: &str, value: &str) -> Option<&'a Value> {
    profile["identities"]
        .as_array()
        .expect("identities")
        .iter()
        .find(|i| i["kind"] == kind && i["value"] == value)
}

#[tokio::test]
async fn a_message_cannot_hand_a_customer_to_whoever_wrote_it() {
    let target = Target::start();
    // The victim: texts from their own phone, then emails from their own address; the store's
    // integration knows both messages are from its customer c-77.
    let crm = json!({"provider": "shop", "id": "c-77"});
    let victim = target
        .event(message(
            "sms",
            json!({"phone": "+13055551015", "name": "Vera Victim", "external": crm}),
            "Hi, is my order ready?",
            "v-1",
        ))
        .await;
    let victim_id = victim["customer_id"].as_str().expect("id").to_owned();
    let by_email = target
        .event(message(
            "email",
            json!({"email": "vera@victim.example", "external": crm}),
            "Following up by email.",
            "v-2",
        ))
        .await;
    assert_eq!(by_email["customer_id"], victim_id.as_str());
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "phone", "+13055551015").expect("phone")["assurance"],
        "asserted",
        "the number an SMS came from is the channel's word"
    );
    assert_eq!(
        identity(&profile, "email", "vera@victim.example").expect("email")["assurance"],
        "asserted",
        "tied to the profile by the provider's own account id"
    );

    // Attack 1: a DM from a brand-new handle names the victim's number and the attacker's email.
    let dm = target
        .event(message(
            "instagram",
            json!({"handle": {"platform": "instagram", "handle": "mallory_x"}}),
            "my number is (305) 555-1015, please email me at someone@evil.example",
            "m-1",
        ))
        .await;
    // The link the product promises stays: the handle joins the profile holding that number...
    assert_eq!(dm["customer_id"], victim_id.as_str(), "{dm}");
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "handle", "mallory_x").expect("handle")["assurance"],
        "claimed",
        "joined through a claim, so only as trusted as one"
    );
    // ... but the other address in the text is kept with the message, not on the profile.
    assert!(
        identity(&profile, "email", "someone@evil.example").is_none(),
        "{profile}"
    );
    assert_eq!(profile["primary_email"], "vera@victim.example");
    let (_, timeline) = target
        .api(
            reqwest::Method::GET,
            &format!("/customers/{victim_id}/timeline"),
            None,
        )
        .await;
    let entry = timeline["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["channel"] == "instagram")
        .expect("the DM is on the timeline");
    assert_eq!(
        entry["claims"],
        json!([{"kind": "email", "value": "someone@evil.example", "holder": null}]),
        "agents see what the message claimed"
    );

    // Attack 2: an SMS from the attacker's own phone names the victim's email.
    let sms = target
        .event(message(
            "sms",
            json!({"phone": "+13055550199"}),
            "hi it's me, vera@victim.example, new phone",
            "m-2",
        ))
        .await;
    assert_eq!(sms["customer_id"], victim_id.as_str(), "{sms}");
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "phone", "+13055550199").expect("the new number")["assurance"],
        "claimed",
        "a number that joined through a claim cannot sign in"
    );
    assert_eq!(profile["primary_phone"], "+13055551015");

    // Neither attacker address gets a sign-in code; the victim's own still do.
    target.ask_for_code("someone@evil.example").await;
    target.ask_for_code("+1 305 555 0199").await;
    target.ask_for_code("mallory_x@instagram.example").await;
    let sent = target.codes_sent_to().await;
    assert!(
        !sent
            .iter()
            .any(|d| d == "someone@evil.example" || d == "+13055550199"),
        "{sent:?}"
    );
    target.ask_for_code("(305) 555-1015").await;
    target.ask_for_code("vera@victim.example").await;
    let sent = target.codes_sent_to().await;
    assert!(sent.iter().any(|d| d == "+13055551015"), "{sent:?}");
    assert!(sent.iter().any(|d| d == "vera@victim.example"), "{sent:?}");
}

#[tokio::test]
async fn a_form_cannot_add_a_sign_in_address_to_someone_else() {
    let target = Target::start();
    let victim = target
        .event(message(
            "email",
            json!({"email": "ana@victim.example", "name": "Ana Lopez"}),
            "Hello",
            "a-1",
        ))
        .await;
    let victim_id = victim["customer_id"].as_str().expect("id").to_owned();
    // A web chat's pre-chat form where the attacker typed the victim's address and their own
    // number: the integration sends both, neither is the channel's word.
    let chat = target
        .event(message(
            "webchat",
            json!({"email": "ana@victim.example", "phone": "+13055550123"}),
            "Hi",
            "a-2",
        ))
        .await;
    assert_eq!(chat["customer_id"], victim_id.as_str(), "{chat}");
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "phone", "+13055550123").expect("phone")["assurance"],
        "claimed"
    );
    assert_eq!(profile["primary_email"], "ana@victim.example");
    target.ask_for_code("+13055550123").await;
    assert!(target.codes_sent_to().await.is_empty());
}

#[tokio::test]
async fn a_huge_message_yields_a_handful_of_claims_and_no_identities() {
    let target = Target::start();
    let body: String = (0..4000)
        .map(|i| format!("user{i}@spam.example "))
        .collect::<String>()
        .chars()
        .take(60 * 1024)
        .collect();
    let created = target
        .event(message(
            "sms",
            json!({"phone": "+13055550777"}),
            &body,
            "h-1",
        ))
        .await;
    let id = created["customer_id"].as_str().expect("id");
    let profile = target.profile(id).await;
    let identities = profile["identities"].as_array().expect("identities");
    assert_eq!(
        identities.len(),
        1,
        "only the sender's number: {identities:?}"
    );
    let (_, timeline) = target
        .api(
            reqwest::Method::GET,
            &format!("/customers/{id}/timeline"),
            None,
        )
        .await;
    let claims = timeline["entries"][0]["claims"]
        .as_array()
        .expect("claims")
        .len();
    assert!((1..=5).contains(&claims), "{claims} claims");
}
