//! The profile's identities, and marking an address or number verified (admins).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::{Actions, action_error, when};
use crate::types::CustomerProfile;

#[component]
pub(super) fn Identities(
    profile: CustomerProfile,
    now: DateTime<Utc>,
    can_verify: bool,
    csrf: String,
    actions: Actions,
) -> AnyView {
    let customer = profile.id;
    let rows = profile
        .identities
        .into_iter()
        .map(|i| {
            let assurance = i.assurance;
            // Admins can vouch for an address or number that cannot sign in yet.
            let verify = (can_verify
                && matches!(i.kind.as_str(), "email" | "phone")
                && !assurance.can_sign_in())
            .then(|| {
                let label = format!("Mark {} verified", i.value);
                let asks = format!("How you checked {}", i.value);
                let csrf = csrf.clone();
                view! {
                    <ActionForm action=actions.verify attr:class="inline verify-form">
                        <input type="hidden" name="id" value=customer.to_string() />
                        <input type="hidden" name="identity" value=i.id.to_string() />
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <input type="text" name="reason" required maxlength="500" placeholder="How you checked" aria-label=asks />
                        <button type="submit" class="quiet" aria-label=label>"Mark verified"</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <td>{i.kind}</td>
                    <td>{if i.provider.is_empty() { "—".to_owned() } else { i.provider }}</td>
                    <td class="identity-value">{i.value}</td>
                    <td>{format!("{:.0}%", i.confidence * 100.0)}</td>
                    <td class=format!("assurance {}", assurance.as_str()) title=assurance.label()>
                        {assurance.as_str()}
                        {verify}
                    </td>
                    <td>{when(i.first_seen_at, now)}</td>
                    <td>{when(i.last_seen_at, now)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel identities" aria-labelledby="identities-title">
            <h2 id="identities-title">"Identities"</h2>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Provider"</th>
                            <th scope="col">"Value"</th>
                            <th scope="col">"Confidence"</th>
                            <th scope="col" title="How Spine learned it: claimed by the sender, entered by staff, asserted by the channel, or verified by the customer. Only asserted and verified addresses and numbers can receive a sign-in code.">"Learned"</th>
                            <th scope="col">"First seen"</th>
                            <th scope="col">"Last seen"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {action_error(actions.verify.value())}
        </section>
    }
    .into_any()
}
