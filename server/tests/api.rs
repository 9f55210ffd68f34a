//! The JSON API against the real server: keys, events, errors, customers and timelines.

mod common;

use serde_json::{Value, json};

use common::{Server, api_key, database_url, serve};

struct Api {
    server: Server,
    database_url: String,
    key: String,
    client: reqwest::Client,
}

impl Api {
    /// A fresh SQLite database with a tenant "acme" and an API key for it.
    fn start() -> Api {
        let dir = tempfile::tempdir().expect("dir");
        let url = database_url(&dir);
        // `serve --tenant acme` creates the tenant; a key needs it first, so serve once briefly.
        drop(serve(&url, &["--tenant", "acme"], None));
        let key = api_key(&url, "acme", "tests");
        assert!(key.starts_with("spk_"), "{key}");
        Api {
            server: serve(&url, &["--tenant", "acme"], Some(dir)),
            database_url: url,
            key,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.server.base)
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("get");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

impl Api {
    async fn delete(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .delete(self.url(path))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("delete");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn sms(phone: &str, body: &str, id: &str) -> Value {
    json!({"channel": "sms", "direction": "inbound", "kind": "message", "occurred_at": "2026-05-01T10:00:00Z",
           "body": body, "external_id": id, "identifiers": {"phone": phone}})
}

#[tokio::test]
async fn events_resolve_link_and_are_idempotent() {
    let api = Api::start();
    let (status, first) = api
        .post(
            "/events",
            &sms("(916) 555-1234", "Do you do birthdays?", "SM1"),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["decision"], "created");
    let (status, again) = api
        .post(
            "/events",
            &sms("(916) 555-1234", "Do you do birthdays?", "SM1"),
        )
        .await;
    assert_eq!(status, 200, "a replay is not a new event");
    assert_eq!(again["interaction_id"], first["interaction_id"]);

    let dm = json!({"channel": "instagram", "direction": "inbound", "kind": "message", "occurred_at": "2026-05-02T10:00:00Z",
                    "body": "Hi! I asked about birthdays. My number is 916-555-1234",
                    "identifiers": {"handle": {"platform": "instagram", "handle": "@johndoe"}}});
    let (status, linked) = api.post("/events", &dm).await;
    assert_eq!(status, 201, "{linked}");
    assert_eq!(linked["decision"], "linked");
    assert_eq!(linked["customer_id"], first["customer_id"]);
    assert!(linked["confidence"].as_f64().unwrap_or_default() >= 0.9);

    let id = first["customer_id"].as_str().unwrap_or_default();
    let (status, profile) = api.get(&format!("/customers/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(profile["primary_phone"], "+19165551234");
    let kinds: Vec<&str> = profile["identities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"handle") && kinds.contains(&"phone"),
        "{kinds:?}"
    );

    let (status, page) = api.get(&format!("/customers/{id}/timeline?limit=1")).await;
    assert_eq!(status, 200);
    assert_eq!(page["entries"][0]["channel"], "instagram", "newest first");
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let (_, page2) = api
        .get(&format!("/customers/{id}/timeline?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(page2["entries"][0]["channel"], "sms");

    let (status, found) = api.get("/customers?q=916.555.1234").await;
    assert_eq!(status, 200);
    assert_eq!(found.as_array().map(Vec::len), Some(1));

    // An event without a provider id is made replayable by an Idempotency-Key: the same key is
    // the same event (its timeline grows once), another key is another event.
    let note = json!({"channel": "webchat", "direction": "inbound", "kind": "message",
                      "occurred_at": "2026-05-03T10:00:00Z", "body": "Still there?",
                      "identifiers": {"phone": "916-555-1234"}});
    let send = |key: &'static str| {
        api.client
            .post(api.url("/events"))
            .bearer_auth(&api.key)
            .header("Idempotency-Key", key)
            .json(&note)
            .send()
    };
    let timeline_length = || async {
        let (_, page) = api.get(&format!("/customers/{id}/timeline?limit=50")).await;
        page["entries"].as_array().map_or(0, Vec::len)
    };
    let before = timeline_length().await;
    let original = send("chat-retry-1").await.expect("post");
    assert_eq!(original.status().as_u16(), 201);
    let original: Value = original.json().await.expect("json");
    let replay = send("chat-retry-1").await.expect("post");
    assert_eq!(replay.status().as_u16(), 200, "a replay is not a new event");
    let replay: Value = replay.json().await.expect("json");
    assert_eq!(replay["interaction_id"], original["interaction_id"]);
    assert_eq!(timeline_length().await, before + 1);
    assert_eq!(
        send("chat-retry-2").await.expect("post").status().as_u16(),
        201
    );
    assert_eq!(timeline_length().await, before + 2);
}

#[tokio::test]
async fn bad_input_gets_a_problem_naming_the_field_and_writes_nothing() {
    let api = Api::start();
    let (status, problem) = api.post("/events", &sms("12", "hi", "SM9")).await;
    assert_eq!(status, 422);
    assert_eq!(problem["field"], "identifiers.phone");
    assert_eq!(problem["status"], 422);

    let mut wrong_type = sms("(916) 555-1234", "hi", "SM10");
    wrong_type["occurred_at"] = json!("yesterday");
    let (status, problem) = api.post("/events", &wrong_type).await;
    assert_eq!(status, 422);
    assert_eq!(problem["field"], "occurred_at", "{problem}");

    let mut unknown_channel = sms("(916) 555-1234", "hi", "SM11");
    unknown_channel["channel"] = json!("fax");
    assert_eq!(api.post("/events", &unknown_channel).await.0, 422);

    let response = api
        .client
        .post(api.url("/events"))
        .bearer_auth(&api.key)
        .body("channel=sms")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 415);

    // An empty query lists every active profile.
    let (_, found) = api.get("/customers?q=").await;
    assert_eq!(
        found.as_array().map(Vec::len),
        Some(0),
        "nothing was written"
    );

    let (status, _) = api.get("/customers/not-a-uuid").await;
    assert_eq!(status, 404);

    // A bad query string is a problem too, not a plain-text 400.
    let (status, problem) = api.get("/customers?limit=many").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["status"], 422);
}

#[tokio::test]
async fn a_batch_accepts_good_events_and_reports_bad_ones_in_place() {
    let api = Api::start();
    let batch = json!({"events": [sms("+1 212 555 0100", "one", "B1"), sms("nope", "two", "B2"), sms("212-555-0100", "three", "B3")]});
    let (status, result) = api.post("/events/batch", &batch).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["accepted"], 2);
    assert_eq!(result["rejected"], 1);
    assert_eq!(result["results"][1]["error"]["field"], "identifiers.phone");
    assert_eq!(result["results"][2]["decision"], "linked");
}

#[tokio::test]
async fn missing_unknown_and_revoked_keys_are_refused() {
    let api = Api::start();
    let response = api
        .client
        .get(api.url("/customers"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = api
        .client
        .get(api.url("/customers"))
        .bearer_auth("spk_nope")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(api.get("/customers").await.0, 200);

    // A key revoked while the server runs (by another process: the CLI) is refused within a
    // second, the time a server believes a key it authenticated; the others work.
    let doomed = api_key(&api.database_url, "acme", "doomed");
    let with = |key: &str| {
        api.client
            .get(api.url("/customers"))
            .bearer_auth(key.to_owned())
            .send()
    };
    assert_eq!(with(&doomed).await.expect("get").status().as_u16(), 200);
    let out = common::run(
        &["api-key", "revoke", "--tenant", "acme", "--key", "doomed"],
        &api.database_url,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revoked = std::time::Instant::now();
    let refused = loop {
        let answer = with(&doomed).await.expect("get");
        if answer.status().as_u16() != 200 || revoked.elapsed().as_secs_f64() > 3.0 {
            break answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(refused.status().as_u16(), 401);
    assert!(
        revoked.elapsed().as_secs_f64() < 2.0,
        "refused within a second or so, not {:?}",
        revoked.elapsed()
    );
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(
        api.get("/customers").await.0,
        200,
        "the other key still works"
    );
}

#[tokio::test]
async fn review_queue_merge_and_undo_over_the_api() {
    let api = Api::start();
    let chat = json!({"channel": "webchat", "direction": "inbound", "kind": "message", "occurred_at": "2026-05-01T10:00:00Z",
                      "body": "hi", "identifiers": {"email": "charlie@gmail.com", "name": "Charlie Day"}});
    let (_, by_email) = api.post("/events", &chat).await;
    let (_, by_phone) = api
        .post("/events", &sms("+1 305 555 9999", "hello", "S1"))
        .await;
    let booking = json!({"channel": "booking", "direction": "inbound", "kind": "booking", "occurred_at": "2026-05-03T10:00:00Z",
                         "body": "table for 4", "identifiers": {"email": "charlie@gmail.com", "phone": "305-555-9999"}});
    let (status, conflict) = api.post("/events", &booking).await;
    assert_eq!(status, 201);
    assert_eq!(conflict["decision"], "ambiguous");

    let (status, queue) = api.get("/review-items").await;
    assert_eq!(status, 200);
    let item = &queue[0];
    assert_eq!(item["id"], conflict["review_item_id"]);
    let item_id = item["id"].as_str().unwrap_or_default();

    // Merge the provisional booking profile into the email profile.
    let body =
        json!({"survivor_id": by_email["customer_id"], "absorbed_id": conflict["customer_id"]});
    let (status, merged) = api
        .post(&format!("/review-items/{item_id}/merge"), &body)
        .await;
    assert_eq!(status, 200, "{merged}");
    let (status, again) = api
        .post(&format!("/review-items/{item_id}/merge"), &body)
        .await;
    assert_eq!(status, 409, "an item is decided once: {again}");

    let survivor = by_email["customer_id"].as_str().unwrap_or_default();
    let (_, page) = api.get(&format!("/customers/{survivor}/timeline")).await;
    assert_eq!(
        page["entries"].as_array().map(Vec::len),
        Some(2),
        "the booking moved to the survivor"
    );

    // A manual merge of the phone profile too, with a preview first.
    let phone_id = by_phone["customer_id"].as_str().unwrap_or_default();
    let (status, plan) = api
        .get(&format!(
            "/customers/{survivor}/merge-preview?absorbed_id={phone_id}"
        ))
        .await;
    assert_eq!(status, 200, "{plan}");
    let field = |name: &str| {
        plan["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        (
            &field("display_name")["outcome"],
            &field("display_name")["survivor"]
        ),
        (&json!("keep_survivor"), &json!("Charlie Day")),
        "{plan}"
    );
    // The number stayed with the phone profile (the booking's profile never held it), so the
    // survivor shows none until this merge brings it.
    assert_eq!(
        (
            &field("primary_phone")["outcome"],
            &field("primary_phone")["survivor"],
            &field("primary_phone")["absorbed"]
        ),
        (
            &json!("take_absorbed"),
            &Value::Null,
            &json!("+13055559999")
        ),
        "{plan}"
    );
    assert_eq!(
        plan["lists"]["sources"],
        json!(["webchat", "booking", "sms"]),
        "{plan}"
    );
    let (_, phone_profile) = api.get(&format!("/customers/{phone_id}")).await;
    let phone_identity = phone_profile["identities"][0]["id"].clone();
    assert_eq!(
        plan["identities_to_move"],
        json!([phone_identity]),
        "{plan}"
    );
    // A preview writes nothing: both profiles are as they were.
    let (_, page) = api.get(&format!("/customers/{survivor}/timeline")).await;
    assert_eq!(page["entries"].as_array().map(Vec::len), Some(2));
    let (_, unchanged) = api.get(&format!("/customers/{phone_id}")).await;
    assert_eq!(unchanged, phone_profile);
    let (status, manual) = api
        .post(
            &format!("/customers/{survivor}/merge"),
            &json!({"absorbed_id": phone_id}),
        )
        .await;
    assert_eq!(status, 200, "{manual}");
    let (_, page) = api.get(&format!("/customers/{survivor}/timeline")).await;
    assert_eq!(page["entries"].as_array().map(Vec::len), Some(3));

    let merge_id = manual["merge_id"].as_str().unwrap_or_default();
    let (status, _) = api
        .post(&format!("/merges/{merge_id}/undo"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let (_, page) = api.get(&format!("/customers/{survivor}/timeline")).await;
    assert_eq!(
        page["entries"].as_array().map(Vec::len),
        Some(2),
        "undo took the SMS back"
    );
    let (status, _) = api.get(&format!("/customers/{phone_id}")).await;
    assert_eq!(status, 200, "the phone profile is back");
}

#[tokio::test]
async fn profiles_can_be_patched_and_timelines_filtered() {
    let api = Api::start();
    let (_, first) = api
        .post("/events", &sms("+1 646 555 0147", "hi", "P1"))
        .await;
    let email = json!({"channel": "email", "direction": "inbound", "kind": "message", "occurred_at": "2026-05-02T10:00:00Z",
                       "body": "hello", "identifiers": {"email": "pat@example.com", "phone": "646-555-0147"}});
    api.post("/events", &email).await;
    let id = first["customer_id"].as_str().unwrap_or_default().to_owned();

    let patch = json!({"lifecycle_stage": "customer", "tags": [" VIP ", "vip", "wholesale"], "preferred_channel": "whatsapp"});
    let response = api
        .client
        .patch(api.url(&format!("/customers/{id}")))
        .bearer_auth(&api.key)
        .json(&patch)
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status().as_u16(), 200);
    let profile: Value = response.json().await.expect("json");
    assert_eq!(profile["lifecycle_stage"], "customer");
    assert_eq!(profile["tags"], json!(["vip", "wholesale"]));
    assert_eq!(profile["preferences"]["preferred_channel"], "whatsapp");

    for (bad, field) in [
        (json!({"lifecycle_stage": "vip"}), "lifecycle_stage"),
        (json!({"shoe_size": 9}), "shoe_size"),
        (json!({"tags": [""]}), "tags"),
    ] {
        let response = api
            .client
            .patch(api.url(&format!("/customers/{id}")))
            .bearer_auth(&api.key)
            .json(&bad)
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status().as_u16(), 422, "{bad}");
        let problem: Value = response.json().await.expect("problem");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(field),
            "{problem}"
        );
    }
    let (_, unchanged) = api.get(&format!("/customers/{id}")).await;
    assert_eq!(
        unchanged["tags"],
        json!(["vip", "wholesale"]),
        "a refused patch changes nothing"
    );

    let (_, only_email) = api
        .get(&format!("/customers/{id}/timeline?channel=email"))
        .await;
    let channels: Vec<&str> = only_email["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["channel"].as_str())
        .collect();
    assert_eq!(channels, vec!["email"]);
    let (status, problem) = api
        .get(&format!("/customers/{id}/timeline?channel=fax"))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["field"], "channel");
}

#[tokio::test]
async fn find_or_create_finds_creates_and_answers_conflicts_without_merging() {
    let api = Api::start();
    // Chatbot first: a phone only.
    let (status, created) = api
        .post(
            "/customers/resolve",
            &json!({"phone": "+1 512 555 0134", "first_name": "Alice", "source": "chatbot"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["outcome"], "created");
    assert_eq!(created["is_new_account"], true);
    let alice = created["customer"]["id"].clone();

    // Web app later, same phone in another format plus an email, merge_if_found: the same account, updated.
    let signup = json!({"phone": "512-555-0134", "email": "alice@gmail.com", "login_id": "auth-abc", "first_name": "Alice", "source": "webapp", "merge_if_found": true});
    let (status, found) = api.post("/customers/resolve", &signup).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["outcome"], "found");
    assert_eq!(found["customer"]["id"], alice);
    assert_eq!(found["customer"]["primary_email"], "alice@gmail.com");
    assert_eq!(found["customer"]["sources"], json!(["chatbot", "webapp"]));

    // A separate web-only account, then a request carrying both: a conflict, nothing merged.
    let (_, charlie) = api
        .post(
            "/customers/resolve",
            &json!({"email": "charlie@gmail.com", "source": "webapp"}),
        )
        .await;
    let (_, chatbot) = api
        .post(
            "/customers/resolve",
            &json!({"phone": "+1 305 555 0199", "source": "chatbot"}),
        )
        .await;
    let both = json!({"email": "charlie@gmail.com", "phone": "305-555-0199", "source": "webapp", "merge_if_found": true});
    let (status, conflict) = api.post("/customers/resolve", &both).await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["outcome"], "conflict");
    let accounts: Vec<&Value> = conflict["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| &a["id"])
        .collect();
    assert!(
        accounts.contains(&&charlie["customer"]["id"])
            && accounts.contains(&&chatbot["customer"]["id"]),
        "{conflict}"
    );
    assert!(
        conflict["suggested_actions"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    let (_, queue) = api.get("/review-items").await;
    assert!(
        queue
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["id"] == conflict["review_item_id"])
    );

    let (status, problem) = api
        .post("/customers/resolve", &json!({"source": "chatbot"}))
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = api
        .post(
            "/customers/resolve",
            &json!({"phone": "+15125550134", "source": "chatbot", "shoe": 1}),
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn export_soft_delete_restore_and_erasure() {
    let api = Api::start();
    let (_, first) = api
        .post(
            "/events",
            &sms("(916) 555-0199", "Is the cake ready?", "SM-E1"),
        )
        .await;
    let id = first["customer_id"].as_str().expect("id").to_owned();
    let (_, order) = api
        .post(
            "/events",
            &json!({"channel": "order", "direction": "inbound", "kind": "order", "occurred_at": "2026-05-01T11:00:00Z",
                    "identifiers": {"phone": "+19165550199", "email": "Pat.Lee@Example.com"},
                    "order": {"provider": "shopify", "external_id": "1099", "total_cents": 2500}}),
        )
        .await;
    assert_eq!(order["customer_id"], id.as_str(), "{order}");

    let (status, export) = api.get(&format!("/customers/{id}/export")).await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["profile"]["id"], id.as_str());
    assert_eq!(export["timeline"].as_array().map(Vec::len), Some(2));
    assert_eq!(export["orders"][0]["external_id"], "1099");
    assert!(
        export["profile"]["identities"]
            .as_array()
            .is_some_and(|i| i.len() == 2)
    );

    // Soft delete hides from search; restore brings it back.
    let found = |body: &Value| body.as_array().map(Vec::len).unwrap_or(0);
    let (_, before) = api.get("/customers?q=pat.lee@example.com").await;
    assert_eq!(found(&before), 1);
    assert_eq!(api.delete(&format!("/customers/{id}")).await.0, 204);
    let (status, again) = api.delete(&format!("/customers/{id}")).await;
    assert_eq!(status, 409, "{again}");
    let (_, hidden) = api.get("/customers?q=pat.lee@example.com").await;
    assert_eq!(found(&hidden), 0);
    // Hidden means not found by id either, with the way back in the answer; the export
    // still answers, for the person's rights.
    let (status, problem) = api.get(&format!("/customers/{id}")).await;
    assert_eq!(status, 404, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("restore"),
        "{problem}"
    );
    let (status, export) = api.get(&format!("/customers/{id}/export")).await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(
        api.post(&format!("/customers/{id}/restore"), &json!({}))
            .await
            .0,
        204
    );
    let (_, shown) = api.get("/customers?q=pat.lee@example.com").await;
    assert_eq!(found(&shown), 1);

    // Erasure: gone from every endpoint; the past cannot be replayed; the person can come back.
    let (status, report) = api
        .post(&format!("/customers/{id}/erasure"), &json!({}))
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["interactions"], 2);
    assert_eq!(report["orders"], 1);
    for path in [
        format!("/customers/{id}/export"),
        format!("/customers/{id}"),
    ] {
        let (status, problem) = api.get(&path).await;
        assert_eq!(status, 404, "{path}: {problem}");
        assert_eq!(problem["status"], 404);
    }
    let (status, _) = api
        .post(&format!("/customers/{id}/erasure"), &json!({}))
        .await;
    assert_eq!(status, 404);
    let (_, search) = api.get("/customers?q=916-555-0199").await;
    assert_eq!(found(&search), 0);
    let (status, replay) = api
        .post(
            "/events",
            &sms("(916) 555-0199", "Is the cake ready?", "SM-E1"),
        )
        .await;
    assert_eq!(status, 410, "{replay}");
    assert!(
        replay["detail"]
            .as_str()
            .is_some_and(|d| d.contains("erased")),
        "{replay}"
    );
    let mut back = sms("(916) 555-0199", "Hi, new here", "SM-E2");
    back["occurred_at"] = json!(chrono::Utc::now().to_rfc3339());
    let (status, fresh) = api.post("/events", &back).await;
    assert_eq!(status, 201, "{fresh}");
    assert_eq!(fresh["decision"], "created");
    assert_ne!(fresh["customer_id"], id.as_str());

    // Not a customer id: a 404 problem, not a 500.
    assert_eq!(api.get("/customers/not-a-uuid/export").await.0, 404);
    assert_eq!(api.delete("/customers/not-a-uuid").await.0, 404);
}

/// The seed's continuity case: an order links an email and a phone to one person; a web chat
/// about order #1234 from the email, then "Is my order ready?" on WhatsApp from the phone. The
/// WhatsApp message joins the chat's thread, and the context names the order and the handoff.
#[tokio::test]
async fn a_conversation_moves_from_chat_to_whatsapp_and_the_context_remembers() {
    let api = Api::start();
    let now = chrono::Utc::now();
    let at = |minutes_ago: i64| (now - chrono::Duration::minutes(minutes_ago)).to_rfc3339();
    let (status, order) = api
        .post(
            "/events",
            &json!({"channel": "order", "direction": "inbound", "kind": "order", "occurred_at": at(300),
                    "identifiers": {"email": "customer@example.com", "phone": "+1 212 555 0100"},
                    "order": {"provider": "shopify", "external_id": "1234", "total_cents": 4500}}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["customer_id"].as_str().expect("id").to_owned();
    let (_, chat) = api
        .post(
            "/events",
            &json!({"channel": "webchat", "direction": "inbound", "kind": "message", "occurred_at": at(120),
                    "body": "I need help with my order #1234", "identifiers": {"email": "customer@example.com"}}),
        )
        .await;
    assert_eq!(chat["customer_id"], id.as_str());
    // Something unrelated, on email, the day before: a thread of its own.
    let (_, other) = api
        .post(
            "/events",
            &json!({"channel": "email", "direction": "inbound", "kind": "message", "occurred_at": at(1500),
                    "body": "Do you have gluten-free options for a birthday party?", "identifiers": {"email": "customer@example.com"}}),
        )
        .await;
    assert_eq!(other["customer_id"], id.as_str());
    let (_, whatsapp) = api
        .post(
            "/events",
            &json!({"channel": "whatsapp", "direction": "inbound", "kind": "message", "occurred_at": at(5),
                    "body": "Is my order ready?", "identifiers": {"phone": "(212) 555-0100"}}),
        )
        .await;
    assert_eq!(whatsapp["customer_id"], id.as_str(), "{whatsapp}");

    let (status, context) = api
        .get(&format!(
            "/customers/{id}/context?channel=whatsapp&budget=1500"
        ))
        .await;
    assert_eq!(status, 200, "{context}");
    let threads = context["threads"].as_array().expect("threads");
    assert_eq!(
        threads.len(),
        2,
        "the order question and the party question: {context}"
    );
    let current = &threads[0];
    assert_eq!(current["channel"], "whatsapp");
    assert_eq!(current["continues_from"], "webchat");
    assert!(
        current["entities"]
            .as_array()
            .is_some_and(|e| e.iter().any(|v| v == "order #1234")),
        "{current}"
    );
    let messages = current["last_messages"].to_string();
    assert!(
        messages.contains("Is my order ready?") && messages.contains("order #1234"),
        "{messages}"
    );
    assert_ne!(threads[1]["id"], current["id"]);
    let text = context["text"].as_str().expect("text");
    assert!(
        text.contains("#1234") && text.contains("continued from webchat"),
        "{text}"
    );
    assert!(text.chars().count() <= 1500);
    assert_eq!(context["last_channel"], "whatsapp");

    // The budget is respected however small; nonsense is refused.
    let (_, small) = api
        .get(&format!("/customers/{id}/context?budget=120"))
        .await;
    assert!(
        small["text"]
            .as_str()
            .is_some_and(|t| t.chars().count() <= 120),
        "{small}"
    );
    assert_eq!(
        api.get(&format!("/customers/{id}/context?budget=5"))
            .await
            .0,
        422
    );
    assert_eq!(
        api.get(&format!("/customers/{id}/context?channel=fax"))
            .await
            .0,
        422
    );
    assert_eq!(api.get("/customers/not-an-id/context").await.0, 404);

    // Resolving the thread over the API: it says so in the next context; unknown ids are 404.
    let thread = current["id"].as_str().expect("thread id").to_owned();
    assert_eq!(
        api.post(&format!("/threads/{thread}/resolve"), &json!({}))
            .await
            .0,
        204
    );
    let (_, after) = api
        .get(&format!("/customers/{id}/context?channel=whatsapp"))
        .await;
    let resolved = after["threads"]
        .as_array()
        .and_then(|t| t.iter().find(|th| th["id"] == thread.as_str()))
        .expect("listed");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(
        api.post(&format!("/threads/{thread}/reopen"), &json!({}))
            .await
            .0,
        204
    );
    assert_eq!(
        api.post("/threads/not-an-id/resolve", &json!({})).await.0,
        404
    );

    // Archiving: only a resolved conversation; then its text is read from the transcript.
    let (status, open) = api
        .post(&format!("/threads/{thread}/archive"), &json!({}))
        .await;
    assert_eq!(status, 409, "{open}");
    assert!(
        open["detail"]
            .as_str()
            .is_some_and(|d| d.contains("resolve it first")),
        "{open}"
    );
    for step in ["resolve", "archive"] {
        assert_eq!(
            api.post(&format!("/threads/{thread}/{step}"), &json!({}))
                .await
                .0,
            204,
            "{step}"
        );
    }
    assert_eq!(
        api.post(&format!("/threads/{thread}/reopen"), &json!({}))
            .await
            .0,
        409
    );
    assert_eq!(
        api.post(&format!("/threads/{thread}/archive"), &json!({}))
            .await
            .0,
        409
    );
    let (_, timeline) = api.get(&format!("/customers/{id}/timeline")).await;
    let entries = timeline["entries"].as_array().expect("entries");
    let archived: Vec<_> = entries.iter().filter(|e| e["archived"] == true).collect();
    assert_eq!(
        archived.len(),
        2,
        "the chat and the WhatsApp message: {timeline}"
    );
    assert!(archived.iter().all(|e| e["body"].is_null()));
    let (status, transcript) = api.get(&format!("/threads/{thread}/transcript")).await;
    assert_eq!(status, 200, "{transcript}");
    let bodies: Vec<_> = transcript["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        bodies,
        vec!["I need help with my order #1234", "Is my order ready?"]
    );
    assert!(transcript["archived_at"].is_string());
    let (_, context) = api.get(&format!("/customers/{id}/context")).await;
    let text = context["text"].as_str().expect("text");
    assert!(text.contains("Archived conversation on whatsapp"), "{text}");
    assert_eq!(api.get("/threads/not-an-id/transcript").await.0, 404);
    assert_eq!(
        api.get(&format!("/threads/{}/transcript", uuid::Uuid::now_v7()))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn lists_filter_page_with_a_link_header_and_refuse_unknown_filters() {
    let api = Api::start();
    let mut ids = Vec::new();
    for i in 0..5 {
        let (status, created) = api
            .post(
                "/events",
                &sms(&format!("+1 646 555 01{i:02}"), "hi", &format!("L{i}")),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        ids.push(
            created["customer_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    // Two of the five are VIPs, one of them a customer.
    for (id, stage) in [(&ids[1], "customer"), (&ids[3], "lead")] {
        let response = api
            .client
            .patch(api.url(&format!("/customers/{id}")))
            .bearer_auth(&api.key)
            .json(&json!({"tags": ["vip"], "lifecycle_stage": stage}))
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status().as_u16(), 200);
    }
    let list = |query: &'static str| {
        let api = &api;
        async move {
            let response = api
                .client
                .get(api.url(&format!("/customers?{query}")))
                .bearer_auth(&api.key)
                .send()
                .await
                .expect("list");
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let (link, total) = (header("link"), header("x-total-count"));
            let body: Value = response.json().await.expect("json");
            (status, body, link, total)
        }
    };
    let (status, vip, _, total) = list("tag=VIP&channel=sms").await;
    assert_eq!(status, 200, "{vip}");
    assert_eq!(total.as_deref(), Some("2"));
    let mut found: Vec<&str> = vip
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    found.sort();
    let mut expected = vec![ids[1].as_str(), ids[3].as_str()];
    expected.sort();
    assert_eq!(found, expected);
    let (_, customers, _, _) = list("tag=vip&stage=customer").await;
    assert_eq!(customers[0]["id"], ids[1]);
    assert_eq!(customers[0]["tags"], json!(["vip"]));

    // Pages follow the Link header: five profiles, two at a time, each once.
    let (_, first, link, total) = list("limit=2").await;
    assert_eq!(total.as_deref(), Some("5"));
    let mut seen: Vec<String> = first
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    let mut next = link;
    while let Some(link) = next.take() {
        let url = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap_or_default()
            .trim_start_matches("/api/v1")
            .to_owned();
        assert!(link.ends_with("rel=\"next\""), "{link}");
        let response = api
            .client
            .get(api.url(&url))
            .bearer_auth(&api.key)
            .send()
            .await
            .expect("page");
        next = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page: Value = response.json().await.expect("json");
        seen.extend(
            page.as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["id"].as_str().map(str::to_owned)),
        );
    }
    seen.sort();
    let mut all = ids.clone();
    all.sort();
    assert_eq!(seen, all);

    // Unknown or bad filters are 422 problems naming the parameter.
    for (query, field) in [
        ("stage=vip", "stage"),
        ("tagz=vip", "tagz"),
        ("seen_from=yesterday", "seen_from"),
        ("after=not-an-id", "after"),
        ("stage=", "stage"),
        ("tag=vip&offset=1001", "offset"),
        ("limit=0", "limit"),
    ] {
        let (status, problem) = api.get(&format!("/customers?{query}")).await;
        assert_eq!(status, 422, "{query}: {problem}");
        assert_eq!(problem["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_sweep_starts_over_the_api_and_says_what_it_found() {
    let api = Api::start();
    // Two profiles of one person typed twice: a slip in the name and the email.
    for (i, (name, email)) in [
        ("Quentin Marlowe", "quentin.marlowe@example.com"),
        ("Quentin Marlow", "quentin.marlow@example.com"),
    ]
    .into_iter()
    .enumerate()
    {
        let event = json!({"channel": "email", "direction": "inbound", "kind": "message",
                           "occurred_at": "2026-05-02T10:00:00Z", "body": "hello", "external_id": format!("S{i}"),
                           "identifiers": {"email": email, "name": name}});
        let (status, _) = api.post("/events", &event).await;
        assert_eq!(status, 201);
    }
    let (status, none) = api.get("/sweeps/latest").await;
    assert_eq!(status, 404, "{none}");
    let (status, started) = api.post("/sweeps", &json!({})).await;
    assert_eq!(status, 202, "{started}");
    let job = started["job_id"].clone();
    let mut latest = Value::Null;
    for _ in 0..100 {
        let (_, now) = api.get("/sweeps/latest").await;
        latest = now;
        if latest["running"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(latest["job_id"], job);
    assert_eq!(latest["running"], false, "{latest}");
    assert_eq!(latest["error"], Value::Null, "{latest}");
    assert_eq!(latest["report"]["profiles"], 2, "{latest}");
    let (_, fields) = api.get("/custom-fields").await;
    assert_eq!(fields, json!([]));
}

#[tokio::test]
async fn identifiers_are_added_moved_and_put_back_over_the_api() {
    let api = Api::start();
    let (status, made) = api
        .post("/events", &sms("+12015550111", "hi, this is Ana", "ID1"))
        .await;
    assert_eq!(status, 201, "{made}");
    let ana = made["customer_id"].as_str().expect("id").to_owned();

    let (status, added) = api
        .post(
            &format!("/customers/{ana}/identities"),
            &json!({"email": "Ana@Example.com", "reason": "said so on the phone"}),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["action"], "added");
    assert_eq!(added["value"], "ana@example.com");
    let (status, again) = api
        .post(
            &format!("/customers/{ana}/identities"),
            &json!({"email": "ana@example.com", "reason": "twice"}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    for (body, field) in [
        (json!({"email": "nope", "reason": "x"}), "email"),
        (json!({"fax": "123", "reason": "x"}), "fax"),
        (json!({"email": "b@example.com", "reason": ""}), "reason"),
        (
            json!({"handle": {"handle": "ana"}, "reason": "x"}),
            "platform",
        ),
        // Two identifiers at once: one is added at a time.
        (
            json!({"email": "b@example.com", "phone": "+12015550100", "reason": "x"}),
            "",
        ),
    ] {
        let (status, problem) = api
            .post(&format!("/customers/{ana}/identities"), &body)
            .await;
        assert_eq!(status, 422, "{body} {problem}");
        // A missing field is named in the detail (the problem's `field` is where it is missing).
        let named = field.is_empty()
            || problem["field"] == field
            || problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(&format!("\"{field}\"")) || d.ends_with(field));
        assert!(named, "{field}: {problem}");
    }
    let (status, _) = api
        .post(
            "/customers/not-an-id/identities",
            &json!({"email": "c@example.com", "reason": "x"}),
        )
        .await;
    assert_eq!(status, 404);

    let (_, profile) = api.get(&format!("/customers/{ana}")).await;
    let phone = profile["identities"]
        .as_array()
        .expect("identities")
        .iter()
        .find(|i| i["kind"] == "phone")
        .expect("phone")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let unlink = format!("/customers/{ana}/identities/{phone}/unlink");
    let (status, problem) = api
        .post(&unlink, &json!({"to": "somewhere", "reason": "x"}))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "to");
    let (status, moved) = api
        .post(&unlink, &json!({"to": "new", "reason": "her son's number"}))
        .await;
    assert_eq!(status, 200, "{moved}");
    let son = moved["other_customer_id"].as_str().expect("new").to_owned();
    assert_eq!(moved["new_profile"], true);
    let (_, son_profile) = api.get(&format!("/customers/{son}")).await;
    assert_eq!(son_profile["primary_phone"], "+12015550111");

    let (status, edits) = api.get(&format!("/customers/{ana}/identity-edits")).await;
    assert_eq!(status, 200);
    assert_eq!(edits.as_array().map(Vec::len), Some(2), "{edits}");
    assert_eq!(edits[0]["action"], "unlinked", "newest first");

    let undo = format!("/identity-edits/{}/undo", moved["id"].as_str().expect("id"));
    let (status, undone) = api.post(&undo, &json!({})).await;
    assert_eq!(status, 200, "{undone}");
    assert!(undone["undone_at"].is_string());
    let (status, twice) = api.post(&undo, &json!({})).await;
    assert_eq!(status, 409, "{twice}");
    let (_, profile) = api.get(&format!("/customers/{ana}")).await;
    assert_eq!(profile["primary_phone"], "+12015550111");
    // The profile made for the number held nothing else: it is deleted again.
    let (status, gone) = api.get(&format!("/customers/{son}")).await;
    assert_eq!(status, 404, "{gone}");
}
