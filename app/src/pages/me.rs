//! `/me`: the customer's own page. Signed out, it asks for an email address or phone number
//! and then the six-digit code sent there. Signed in, it shows their details and preferences
//! (editable), the identifiers linked to them (each with "this is not me"), a download of all
//! their data, and erasure. Every form is a plain form first, so it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

use crate::server_fns::portal::{
    Dispute, EraseMe, MeState, MeView, RequestCode, SignOutMe, UpdateMe, VerifyCode, get_me,
};
use crate::types::{Channel, NotificationPrefs};

fn error_of<T>(action: ServerAction<T>) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    T: leptos::server_fn::ServerFn<Output = (), Error = crate::error::ConsoleError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any())
    }
}

#[component]
pub fn MePage() -> AnyView {
    let update = ServerAction::<UpdateMe>::new();
    let dispute = ServerAction::<Dispute>::new();
    // Signing in, out, and erasure each end on another `/me?...` address: the query is part
    // of the key, so the page reads the session again after each.
    let location = use_location();
    let me = Resource::new(
        move || {
            (
                location.search.get(),
                update.version().get(),
                dispute.version().get(),
            )
        },
        |_| get_me(),
    );
    view! {
        <Title text="Your profile" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(MeState::SignedOut { business }) => {
                        view! { <SignIn business /> }.into_any()
                    }
                    Ok(MeState::SignedIn(view)) => {
                        view! { <Profile me=*view update dispute /> }.into_any()
                    }
                    Err(e) => view! {
                        <main id="main" class="narrow">
                            <p class="error" role="alert">{e.to_string()}</p>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn PortalHeader(business: String, #[prop(optional)] sign_out: Option<AnyView>) -> AnyView {
    view! {
        <header class="topbar portal-bar">
            <span class="brand">{business}</span>
            <span class="portal-tag">"Your profile"</span>
            <span class="spacer"></span>
            {sign_out}
        </header>
    }
    .into_any()
}

#[component]
fn SignIn(business: String) -> AnyView {
    let query = use_query_map();
    let challenge = move || query.read().get("challenge").filter(|c| !c.is_empty());
    let erased = move || query.read().get("erased").is_some();
    let request = ServerAction::<RequestCode>::new();
    let verify = ServerAction::<VerifyCode>::new();
    let requesting = request.pending();
    let verifying = verify.pending();
    let title = format!("Sign in to see what {business} knows about you");
    view! {
        <PortalHeader business=business.clone() />
        <main id="main" class="narrow">
            <section class="panel login" aria-labelledby="me-title">
                {move || erased().then(|| view! {
                    <p class="notice" role="status" id="erased-notice">
                        "Your data has been erased. We keep no copy of it; if you write to us again, you start afresh."
                    </p>
                })}
                <h1 id="me-title">{title}</h1>
                {move || match challenge() {
                    None => view! {
                        <p class="muted">
                            "Enter the email address or phone number you use with us. If it is one we know, we send you a six-digit code."
                        </p>
                        <ActionForm action=request>
                            <label class="field">
                                <span>"Email or phone"</span>
                                <input type="text" name="destination" autocomplete="email" required autofocus
                                    placeholder="you@example.com or +1 415 555 0100" />
                            </label>
                            {error_of(request)}
                            <button type="submit" class="primary" disabled=requesting>
                                {move || if requesting.get() { "Sending…" } else { "Send me a code" }}
                            </button>
                        </ActionForm>
                    }
                    .into_any(),
                    Some(challenge) => view! {
                        <p class="muted" id="code-sent">
                            "If the address or number is one we know, a code is on its way. It works once, for 10 minutes."
                        </p>
                        <ActionForm action=verify>
                            <input type="hidden" name="challenge" value=challenge />
                            <label class="field">
                                <span>"Six-digit code"</span>
                                <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                                    pattern="[0-9 ]{6,7}" maxlength="7" required autofocus />
                            </label>
                            {error_of(verify)}
                            <button type="submit" class="primary" disabled=verifying>
                                {move || if verifying.get() { "Checking…" } else { "Sign in" }}
                            </button>
                        </ActionForm>
                        <p><a href="/me">"Use another address, or ask for a new code"</a></p>
                    }
                    .into_any(),
                }}
            </section>
        </main>
    }
    .into_any()
}

const LANGUAGES: [(&str, &str); 7] = [
    ("", "Not set"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("pt", "Português"),
    ("it", "Italiano"),
];

const TIMEZONES: [&str; 12] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
];

#[component]
fn Profile(me: MeView, update: ServerAction<UpdateMe>, dispute: ServerAction<Dispute>) -> AnyView {
    let erase = ServerAction::<EraseMe>::new();
    let sign_out = ServerAction::<SignOutMe>::new();
    let MeView {
        business,
        profile,
        csrf,
    } = me;
    let prefs = profile.preferences.clone();
    let notify = NotificationPrefs::from_json(&prefs.notifications);
    let name = profile.display_name.clone().unwrap_or_default();
    let channel = prefs.preferred_channel;
    let language = prefs.language.clone().unwrap_or_default();
    let channels = Channel::ALL
        .iter()
        .filter(|c| !matches!(c, Channel::Note | Channel::Order | Channel::Booking))
        .map(|c| {
            view! { <option value=c.as_str() selected=channel == Some(*c)>{c.label()}</option> }
        })
        .collect_view();
    let languages = LANGUAGES
        .iter()
        .map(|(code, label)| view! { <option value=*code selected=language == *code>{*label}</option> })
        .collect_view();
    let timezones = TIMEZONES
        .iter()
        .map(|tz| view! { <option value=*tz></option> })
        .collect_view();
    let saved = move || {
        matches!(update.value().get(), Some(Ok(())))
            .then(|| view! { <p class="notice ok" role="status" id="saved">"Saved."</p> })
    };
    let thanks =
        format!("Thank you. Someone at {business} will look at it; until then nothing changes.");
    let disputed = move || {
        matches!(dispute.value().get(), Some(Ok(()))).then(|| {
            view! {
                <p class="notice ok" role="status" id="disputed">
                    {thanks.clone()}
                </p>
            }
        })
    };
    let identities = profile
        .identities
        .iter()
        .map(|i| {
            let csrf = csrf.clone();
            let id = i.id.to_string();
            let label = format!("This is not me: {} {}", i.kind, i.value);
            let verified = i.verification.as_str() == "verified";
            view! {
                <li class="identity">
                    <span class="kind">{kind_label(&i.kind)}</span>
                    <span class="value">{i.value.clone()}</span>
                    {verified.then(|| view! { <span class="badge verified">"verified"</span> })}
                    <ActionForm action=dispute attr:class="inline">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="identity" value=id />
                        <button type="submit" class="quiet" aria-label=label>"This is not me"</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let (csrf_out, csrf_prefs, csrf_erase) = (csrf.clone(), csrf.clone(), csrf);
    let sign_out_form = view! {
        <ActionForm action=sign_out attr:class="inline">
            <input type="hidden" name="csrf" value=csrf_out />
            <button type="submit" class="quiet">"Sign out"</button>
        </ActionForm>
    }
    .into_any();
    view! {
        <PortalHeader business=business.clone() sign_out=sign_out_form />
        <main id="main" class="narrow portal">
            <h1>"Hello, " {name.clone()}</h1>
            <section class="panel" aria-labelledby="details-title">
                <h2 id="details-title">"Your details and preferences"</h2>
                <ActionForm action=update attr:id="prefs-form">
                    <input type="hidden" name="csrf" value=csrf_prefs />
                    <label class="field">
                        <span>"Name"</span>
                        <input type="text" name="display_name" value=name maxlength="200" required />
                    </label>
                    <div class="prefs-row">
                        <label class="field">
                            <span>"How we should reach you"</span>
                            <select name="preferred_channel">
                                <option value="" selected=channel.is_none()>"No preference"</option>
                                {channels}
                            </select>
                        </label>
                        <label class="field">
                            <span>"Language"</span>
                            <select name="language">{languages}</select>
                        </label>
                        <label class="field">
                            <span>"Time zone"</span>
                            <input type="text" name="timezone" list="timezones" maxlength="64"
                                value=prefs.timezone.clone().unwrap_or_default() placeholder="Europe/Madrid" />
                            <datalist id="timezones">{timezones}</datalist>
                        </label>
                    </div>
                    <fieldset class="checks">
                        <legend>"Messages you want"</legend>
                        <label><input type="checkbox" name="order_updates" checked=notify.order_updates />" Order updates"</label>
                        <label><input type="checkbox" name="appointment_reminders" checked=notify.appointment_reminders />" Appointment reminders"</label>
                        <label><input type="checkbox" name="product_news" checked=notify.product_news />" News about products"</label>
                        <label><input type="checkbox" name="marketing_opt_in" checked=prefs.marketing_opt_in />" Offers and marketing (you can withdraw at any time)"</label>
                    </fieldset>
                    {error_of(update)}
                    {saved}
                    <button type="submit" class="primary">"Save"</button>
                </ActionForm>
            </section>
            <section class="panel" aria-labelledby="ids-title">
                <h2 id="ids-title">"How we know you"</h2>
                <p class="muted">"The addresses, numbers and accounts we have linked to you. If one is not yours, tell us: a person checks it, nothing is unlinked automatically."</p>
                <ul class="my-ids">{identities}</ul>
                {error_of(dispute)}
                {disputed}
            </section>
            <section class="panel" aria-labelledby="data-title">
                <h2 id="data-title">"Your data"</h2>
                <p class="muted">"Everything we hold about you (profile, messages on every channel, orders, consents, and the history of changes) as one JSON file."</p>
                <a class="button" href="/me/export.json" download="my-data.json" id="export">"Download my data"</a>
            </section>
            <section class="panel danger-zone" aria-labelledby="erase-title">
                <h2 id="erase-title">"Erase my data"</h2>
                <p>"This removes everything we hold about you, on every channel, for good. It cannot be undone. If you contact us again afterwards, you start with a new, empty profile."</p>
                <ActionForm action=erase>
                    <input type="hidden" name="csrf" value=csrf_erase />
                    <label class="field">
                        <span>"Type ERASE to confirm"</span>
                        <input type="text" name="confirm" autocomplete="off" required />
                    </label>
                    {error_of(erase)}
                    <button type="submit" class="danger">"Erase my data"</button>
                </ActionForm>
            </section>
        </main>
    }
    .into_any()
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "email" => "Email",
        "phone" => "Phone",
        "handle" => "Social account",
        "external_id" => "Account with a provider",
        "login" => "Login",
        "address_hash" => "Delivery address",
        _ => "Identifier",
    }
}
