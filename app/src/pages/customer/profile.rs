//! The profile's header (stage, tags, primaries, preferences) and the stage and tags form.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::{Actions, action_error, when};
use crate::format::money;
use crate::types::{CustomerProfile, LifecycleStage, OrderSummary};

#[component]
pub(super) fn Header(profile: CustomerProfile, name: String, now: DateTime<Utc>) -> AnyView {
    let prefs = profile.preferences;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <section class="panel customer-header" aria-labelledby="customer-name">
            <div class="customer-title">
                <h1 id="customer-name" class="customer-name">{name}</h1>
                <span class="badge stage" data-stage=profile.lifecycle_stage.as_str()>
                    {profile.lifecycle_stage.to_string()}
                </span>
            </div>
            <ul class="tags" aria-label="Profile tags">
                {profile
                    .tags
                    .into_iter()
                    .map(|t| view! { <li class="tag">{t}</li> })
                    .collect_view()}
            </ul>
            <dl class="facts">
                <div class="wide"><dt>"Email"</dt><dd class="primary-email">{or_dash(profile.primary_email)}</dd></div>
                <div><dt>"Phone"</dt><dd class="primary-phone">{or_dash(profile.primary_phone)}</dd></div>
                <div>
                    <dt>"Preferred channel"</dt>
                    <dd>{or_dash(prefs.preferred_channel.map(|c| c.label().to_owned()))}</dd>
                </div>
                <div><dt>"Timezone"</dt><dd>{or_dash(prefs.timezone)}</dd></div>
                <div><dt>"Language"</dt><dd>{or_dash(prefs.language)}</dd></div>
                <div>
                    <dt>"Marketing"</dt>
                    <dd>{if prefs.marketing_opt_in { "opted in" } else { "not opted in" }}</dd>
                </div>
                <div>
                    <dt>"Sources"</dt>
                    <dd>{if profile.sources.is_empty() { "—".to_owned() } else { profile.sources.join(", ") }}</dd>
                </div>
                <div><dt>"Created via"</dt><dd class="created-via">{or_dash(profile.created_via)}</dd></div>
                <div><dt>"Last updated via"</dt><dd class="updated-via">{or_dash(profile.last_updated_via)}</dd></div>
                <OrderFacts orders=profile.orders now />
                <div><dt>"First seen"</dt><dd>{when(profile.created_at, now)}</dd></div>
                <div>
                    <dt>"Last seen"</dt>
                    <dd>{profile.last_seen_at.map(|at| when(at, now).into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                </div>
            </dl>
        </section>
    }
    .into_any()
}

/// Orders, what they came to (per currency) and when the first and last were placed.
#[component]
fn OrderFacts(orders: OrderSummary, now: DateTime<Utc>) -> AnyView {
    if orders.order_count == 0 {
        return view! { <div><dt>"Orders"</dt><dd class="order-count">"none"</dd></div> }
            .into_any();
    }
    let spent = orders
        .total_spent
        .iter()
        .map(|t| money(t.cents, &t.currency))
        .collect::<Vec<_>>()
        .join(" + ");
    let placed = |at: Option<DateTime<Utc>>| {
        at.map(|at| when(at, now).into_any())
            .unwrap_or_else(|| "—".into_any())
    };
    view! {
        <div><dt>"Orders"</dt><dd class="order-count">{orders.order_count}</dd></div>
        <div><dt>"Spent"</dt><dd class="order-spent">{spent}</dd></div>
        <div><dt>"First order"</dt><dd>{placed(orders.first_order_at)}</dd></div>
        <div><dt>"Last order"</dt><dd>{placed(orders.last_order_at)}</dd></div>
    }
    .into_any()
}

#[component]
pub(super) fn EditPanel(profile: CustomerProfile, csrf: String, actions: Actions) -> AnyView {
    let current = profile.lifecycle_stage;
    let tags = profile.tags.join(", ");
    let pending = actions.update.pending();
    view! {
        <section class="panel edit-panel" aria-labelledby="edit-title">
            <h2 id="edit-title" class="visually-hidden">"Stage and tags"</h2>
            <ActionForm action=actions.update attr:class="edit-form">
                <input type="hidden" name="id" value=profile.id.to_string() />
                <input type="hidden" name="csrf" value=csrf />
                <div class="field inline">
                    <label for="stage">"Stage"</label>
                    <select name="stage" id="stage">
                        {LifecycleStage::ALL
                            .iter()
                            .map(|s| view! {
                                <option value=s.as_str() selected=*s == current>{s.to_string()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field inline grow">
                    <label for="tags">"Tags (separated by commas)"</label>
                    <input type="text" name="tags" id="tags" value=tags placeholder="vip, wholesale" />
                </div>
                <button type="submit" disabled=pending>"Save"</button>
            </ActionForm>
            {action_error(actions.update.value())}
        </section>
    }
    .into_any()
}
