//! Renders one [`State`] as the modal's body and turns clicks into [`Msg`]s.
//!
//! Nothing here decides anything: the next state is always [`crate::flow::update`]'s call.

use std::rc::Rc;

use gloo_events::EventListener;
use web_sys::Document;

use crate::browser::dom::{El, cat};
use crate::flow::{Failure, Step, Work};
use crate::i18n::{Strings, fill};
use crate::sandbox_ui::{Msg, State};

/// Sends a message to the open flow.
pub(crate) type Dispatch = Rc<dyn Fn(Msg)>;

/// The ID the dialog's `aria-labelledby` points at; every step has exactly one.
pub(crate) const TITLE_ID: &str = "relink-title";

/// The ID of the step's error message, for `aria-describedby`.
pub(crate) const ERROR_ID: &str = "relink-error";

/// Marks the element that takes focus when a step opens (else the title does).
pub(crate) const AUTOFOCUS: &str = "data-autofocus";

/// What every render needs.
pub(crate) struct View<'a> {
    pub(crate) document: &'a Document,
    pub(crate) strings: &'static Strings,
    pub(crate) dispatch: &'a Dispatch,
}

impl View<'_> {
    fn el(&self, tag: &str) -> El {
        El::new(self.document, tag)
    }

    fn title(&self, text: &str) -> El {
        self.el("h2")
            .class("title")
            .attr("id", TITLE_ID)
            .attr("tabindex", "-1")
            .text(text)
    }

    fn para(&self, class: &str, text: &str) -> El {
        self.el("p").class(class).text(text)
    }

    fn error(&self, text: &str) -> El {
        self.para("error", text)
            .attr("id", ERROR_ID)
            .test_id("error-message")
    }

    /// A button that sends `msg()` when clicked. A constructor rather than a `Msg` to clone:
    /// cloning would bring the copy code of every message (sessions included) into the wasm.
    fn button(
        &self,
        listeners: &mut Vec<EventListener>,
        primary: bool,
        label: &str,
        test_id: &str,
        msg: fn() -> Msg,
    ) -> El {
        let dispatch = Rc::clone(self.dispatch);
        self.plain_button(primary, label, test_id)
            .on(listeners, "click", move |_| dispatch(msg()))
    }

    fn plain_button(&self, primary: bool, label: &str, test_id: &str) -> El {
        self.el("button")
            .attr("type", "button")
            .class(if primary {
                "button primary"
            } else {
                "button secondary"
            })
            .test_id(test_id)
            .text(label)
    }

    fn actions(&self, buttons: impl IntoIterator<Item = El>) -> El {
        self.el("div")
            .class("spacer")
            .child(self.el("div").class("actions").children(buttons))
    }

    fn working(&self, text: &str) -> El {
        self.el("div")
            .class("working")
            .child(self.el("div").class("spinner").attr("aria-hidden", "true"))
            .child(self.title(text))
    }

    /// The whole body for `state`.
    pub(crate) fn render(
        &self,
        state: &State,
        listeners: &mut Vec<EventListener>,
        results_listeners: &mut Vec<EventListener>,
    ) -> El {
        let body = self.el("div").class("body");
        match &state.step {
            Step::Loading => body.child(self.working(self.strings.loading)),
            Step::Consent => self.consent(body, state, listeners),
            Step::InstitutionSearch => {
                self.institution_search(body, state, listeners, results_listeners)
            }
            Step::Login { failed } => self.login(body, state, listeners, *failed),
            Step::Mfa { failed } => self.mfa(body, state, listeners, *failed),
            Step::OAuthWindow => self.oauth_window(body, state, listeners),
            Step::OAuthAccountSelect => self.oauth_account_select(body, state, listeners),
            Step::AccountSelect => self.account_select(body, state, listeners),
            Step::WrongAccount { chosen } => self.wrong_account(body, state, listeners, chosen),
            Step::Working(work) => body.child(self.working(&self.work_title(state, *work))),
            Step::Success => self.success(body, state, listeners),
            Step::Failure(failure) => self.failure(body, state, listeners, failure),
            Step::Finished => body,
        }
    }

    fn login(
        &self,
        body: El,
        state: &State,
        listeners: &mut Vec<EventListener>,
        failed: bool,
    ) -> El {
        let s = self.strings;
        let form = CredentialsForm {
            title: &fill(s.login_title, &[institution_name(state)]),
            label: s.password_label,
            hint: s.password_hint,
            submit: s.login_submit,
            input_id: "login-password",
            submit_id: "login-submit",
            input_type: "password",
            autocomplete: "current-password",
            failed,
            msg: Msg::PasswordSubmitted,
        };
        self.credentials_form(body, listeners, form)
    }

    fn mfa(&self, body: El, state: &State, listeners: &mut Vec<EventListener>, failed: bool) -> El {
        let s = self.strings;
        let form = CredentialsForm {
            title: &fill(s.mfa_title, &[institution_name(state)]),
            label: s.mfa_label,
            hint: s.mfa_hint,
            submit: s.mfa_submit,
            input_id: "mfa-code",
            submit_id: "mfa-submit",
            input_type: "text",
            autocomplete: "one-time-code",
            failed,
            msg: Msg::MfaSubmitted,
        };
        self.credentials_form(body, listeners, form)
    }

    /// The bank's own approval window.
    fn oauth_window(&self, body: El, state: &State, listeners: &mut Vec<EventListener>) -> El {
        let s = self.strings;
        let institution = institution_name(state);
        let intro = fill(s.oauth_intro, &[institution, state.merchant_name()]);
        body.child(
            self.el("div")
                .class("bank-window")
                .child(self.para("bank-name", institution))
                .child(self.title(&fill(s.oauth_title, &[institution])))
                .child(self.para("muted", &intro))
                .child(self.button(
                    listeners,
                    true,
                    s.oauth_authorize,
                    "oauth-authorize",
                    || Msg::OAuthAuthorized,
                )),
        )
    }

    /// The bank's window listing the accounts to share.
    fn oauth_account_select(
        &self,
        body: El,
        state: &State,
        listeners: &mut Vec<EventListener>,
    ) -> El {
        let s = self.strings;
        let (institution, merchant) = (institution_name(state), state.merchant_name());
        let (list, submit) = self.account_choices(
            state,
            listeners,
            &fill(s.oauth_accounts_submit, &[merchant]),
        );
        let window = self
            .el("div")
            .class("bank-window")
            .child(self.para("bank-name", institution))
            .child(self.title(&fill(s.oauth_accounts_title, &[institution, merchant])));
        body.child(
            self.expected_account(window, state)
                .child(list)
                .child(self.el("div").class("actions").child(submit)),
        )
    }

    /// An exact relink where the customer picked `chosen`.
    fn wrong_account(
        &self,
        body: El,
        state: &State,
        listeners: &mut Vec<EventListener>,
        chosen: &str,
    ) -> El {
        let s = self.strings;
        let (name, last4) = state
            .relink()
            .and_then(|r| r.account.as_ref())
            .map_or(("", ""), |a| (a.display_name.as_str(), a.last4.as_str()));
        let message = fill(s.wrong_body, &[state.merchant_name(), name, last4, chosen]);
        body.child(self.bad_mark())
            .child(self.title(s.wrong_title))
            .child(self.error(&message))
            .child(self.actions([
                self.button(listeners, true, s.try_again, "wrong-account-retry", || {
                    Msg::RetryAccountSelection
                }),
                self.button(listeners, false, s.close, "wrong-account-close", || {
                    Msg::Close
                }),
            ]))
    }

    fn work_title(&self, state: &State, work: Work) -> String {
        let s = self.strings;
        match work {
            Work::Authenticating(_) => fill(s.authenticating, &[institution_name(state)]),
            Work::Linking => s.linking.to_owned(),
            Work::Closing => s.finishing.to_owned(),
        }
    }

    fn failure(
        &self,
        body: El,
        state: &State,
        listeners: &mut Vec<EventListener>,
        failure: &Failure,
    ) -> El {
        let s = self.strings;
        let message = match failure {
            Failure::InstitutionDown => fill(s.institution_down, &[institution_name(state)]),
            Failure::NotLinked => s.not_linked.to_owned(),
            Failure::Error(_) => s.generic_error.to_owned(),
        };
        body.child(self.bad_mark())
            .child(self.title(s.failure_title))
            .child(self.error(&message))
            .child(self.actions([self.button(listeners, true, s.close, "done", || Msg::Done)]))
    }

    /// The "!" beside a step that went wrong; decorative.
    fn bad_mark(&self) -> El {
        self.el("div")
            .class("mark bad")
            .attr("aria-hidden", "true")
            .text("!")
    }

    fn consent(&self, body: El, state: &State, listeners: &mut Vec<EventListener>) -> El {
        let s = self.strings;
        let merchant = state.merchant_name();
        let mut body = match state.relink() {
            Some(relink) => body
                .child(self.title(&fill(s.relink_title, &[&relink.institution.name])))
                .child(self.para("muted", &fill(s.relink_intro, &[merchant]))),
            None => body.child(self.title(&fill(s.consent_title, &[merchant]))),
        };
        body = body.child(self.para("", &fill(s.consent_intro, &[merchant])));
        let mut items = Vec::new();
        for permission in state.permissions() {
            let (label, meaning) = s.permission(*permission);
            items.push(
                self.el("li")
                    .class("permission")
                    .child(self.el("strong").text(label))
                    .child(self.el("span").text(meaning)),
            );
        }
        body.child(self.el("ul").class("list").children(items))
            .child(self.para("fine", s.consent_footer))
            .child(self.actions([self.button(
                listeners,
                true,
                s.agree,
                "consent-continue",
                || Msg::ConsentAccepted,
            )]))
    }

    fn institution_search(
        &self,
        body: El,
        state: &State,
        listeners: &mut Vec<EventListener>,
        results_listeners: &mut Vec<EventListener>,
    ) -> El {
        let s = self.strings;
        let dispatch = Rc::clone(self.dispatch);
        let search = self
            .el("input")
            .class("input")
            .attr("id", "relink-search")
            .attr("type", "search")
            .attr("autocomplete", "off")
            .attr(AUTOFOCUS, "")
            .test_id("institution-search");
        if let Some(input) = search.input() {
            crate::browser::js_value::set(&input, "value", &state.query.as_str().into());
            let reader = input.clone();
            listeners.push(EventListener::new(&input, "input", move |_| {
                dispatch(Msg::SearchChanged(reader.value()))
            }));
        }
        body.child(self.title(s.search_title))
            .child(
                self.el("div")
                    .class("field")
                    .child(
                        self.el("label")
                            .attr("for", "relink-search")
                            .text(s.search_label),
                    )
                    .child(search),
            )
            .child(self.institution_results(state, results_listeners))
    }

    /// The institution list alone, re-rendered as the search text changes so that the search
    /// input (and an IME composition in it) is left alone.
    pub(crate) fn institution_results(
        &self,
        state: &State,
        listeners: &mut Vec<EventListener>,
    ) -> El {
        let s = self.strings;
        let results = self.el("div").class("results");
        let visible = state.visible_institutions();
        if visible.is_empty() {
            return results.child(self.para("muted", s.no_results).attr("role", "status"));
        }
        let mut items = Vec::with_capacity(visible.len());
        for institution in visible {
            let dispatch = Rc::clone(self.dispatch);
            let id = institution.id.clone();
            let mut button = self
                .plain_button(false, "", &cat(&["institution-", &institution.id]))
                .on(listeners, "click", move |_| {
                    dispatch(Msg::InstitutionChosen(id.clone()))
                })
                .class("institution")
                .child(self.el("span").text(&institution.name));
            if institution.down {
                button = button.child(self.el("span").class("badge").text(s.unavailable));
            }
            items.push(self.el("li").child(button));
        }
        results.child(self.el("ul").class("list").children(items))
    }

    fn credentials_form(
        &self,
        body: El,
        listeners: &mut Vec<EventListener>,
        form: CredentialsForm<'_>,
    ) -> El {
        let input = self
            .el("input")
            .class("input")
            .attr("id", "relink-credential")
            .attr("type", form.input_type)
            .attr("autocomplete", form.autocomplete)
            .attr("required", "")
            .attr(AUTOFOCUS, "")
            .test_id(form.input_id);
        let input = if form.input_type == "text" {
            input.attr("inputmode", "numeric")
        } else {
            input
        };
        let input = if form.failed {
            input
                .attr("aria-invalid", "true")
                .attr("aria-describedby", ERROR_ID)
        } else {
            input
        };
        let reader = input.input();
        let dispatch = Rc::clone(self.dispatch);
        let to_msg = form.msg;
        let mut fields = self.el("form").class("stack").attr("novalidate", "");
        fields = fields.on_cancelable(listeners, "submit", move |event| {
            event.prevent_default();
            if let Some(reader) = &reader {
                dispatch(to_msg(reader.value()));
            }
        });
        let mut content = body.child(self.title(form.title));
        if form.failed {
            content = content.child(self.error(self.strings.login_failed));
        }
        let submit = self
            .el("button")
            .attr("type", "submit")
            .class("button primary")
            .test_id(form.submit_id)
            .text(form.submit);
        fields = fields
            .child(
                self.el("div")
                    .class("field")
                    .child(
                        self.el("label")
                            .attr("for", "relink-credential")
                            .text(form.label),
                    )
                    .child(input),
            )
            .child(self.para("hint", form.hint))
            .child(self.el("div").class("actions").child(submit));
        content.child(fields)
    }

    fn account_select(&self, body: El, state: &State, listeners: &mut Vec<EventListener>) -> El {
        let s = self.strings;
        let single = state.single_select();
        let body = body.child(self.title(if single {
            s.select_one_title
        } else {
            s.select_many_title
        }));
        let (list, submit) = self.account_choices(
            state,
            listeners,
            if single { s.link_one } else { s.link_many },
        );
        self.expected_account(body, state)
            .child(list)
            .child(self.actions([submit]))
    }

    /// For exact relinks, which account to pick.
    fn expected_account(&self, parent: El, state: &State) -> El {
        match state.relink().and_then(|r| r.account.as_ref()) {
            Some(expected) => parent.child(self.para(
                "muted",
                &fill(
                    self.strings.select_expected,
                    &[&expected.display_name, &expected.last4],
                ),
            )),
            None => parent,
        }
    }

    /// The account options and their submit button, shared by relink's screen and the bank
    /// window so both apply the same rules. The group is labelled by the step's title.
    fn account_choices(
        &self,
        state: &State,
        listeners: &mut Vec<EventListener>,
        submit_label: &str,
    ) -> (El, El) {
        let s = self.strings;
        let single = state.single_select();
        let mut items = Vec::with_capacity(state.accounts.len());
        for account in &state.accounts {
            let selectable = state.is_selectable(account);
            let input = self
                .el("input")
                .attr("type", if single { "radio" } else { "checkbox" })
                .attr("name", "relink-account")
                .test_id(&cat(&["account-", &account.last4]));
            if let Some(element) = input.input() {
                let checked = state.selected.contains(&account.last4);
                crate::browser::js_value::set_flag(&element, "checked", checked);
                crate::browser::js_value::set_flag(&element, "disabled", !selectable);
            }
            let dispatch = Rc::clone(self.dispatch);
            let last4 = account.last4.clone();
            let input = input.on(listeners, "change", move |_| {
                dispatch(Msg::AccountToggled(last4.clone()))
            });
            let mut text = self
                .el("span")
                .class("account-text")
                .child(
                    self.el("span")
                        .class("account-name")
                        .text(&account.display_name),
                )
                .child(
                    self.el("span")
                        .class("mask")
                        .text(&cat(&["•••• ", &account.last4])),
                );
            if !selectable {
                text = text.child(self.el("span").class("mask").text(s.not_eligible));
            }
            let label = self
                .el("label")
                .class(if selectable {
                    "account"
                } else {
                    "account disabled"
                })
                .child(input)
                .child(text);
            items.push(label);
        }
        let submit = self.button(listeners, true, submit_label, "accounts-submit", || {
            Msg::AccountsSubmitted
        });
        if state.selected.is_empty() {
            let _ = submit.element().set_attribute("disabled", "");
        }
        // A plain container: a list with a group role would orphan its items.
        let list = self
            .el("div")
            .class("list")
            .attr("role", if single { "radiogroup" } else { "group" })
            .attr("aria-labelledby", TITLE_ID)
            .children(items);
        (list, submit)
    }

    fn success(&self, body: El, state: &State, listeners: &mut Vec<EventListener>) -> El {
        let s = self.strings;
        let title = match (state.relink(), &state.institution) {
            (Some(_), Some(institution)) => fill(s.relink_success_title, &[&institution.name]),
            _ => s.success_title.to_owned(),
        };
        let mut items = Vec::new();
        for account in state
            .finished
            .iter()
            .flat_map(|f| &f.session.summary.accounts)
        {
            let (name, last4) = (&account.display_name, &account.last4);
            items.push(
                self.el("li").class("account").child(
                    self.el("span")
                        .class("account-text")
                        .child(self.el("span").class("account-name").text(name))
                        .child(self.el("span").class("mask").text(&cat(&["•••• ", last4]))),
                ),
            );
        }
        body.child(
            self.el("div")
                .class("mark ok")
                .attr("aria-hidden", "true")
                .text("✓"),
        )
        .child(self.title(&title))
        .child(self.para("muted", &fill(s.success_body, &[state.merchant_name()])))
        .child(self.el("ul").class("list").children(items))
        .child(self.actions([self.button(listeners, true, s.done, "done", || Msg::Done)]))
    }
}

/// The chosen (or fixed) institution's name; empty before one is chosen.
fn institution_name(state: &State) -> &str {
    state.institution.as_ref().map_or("", |i| i.name.as_str())
}

/// The password and one-time code forms differ only in these.
struct CredentialsForm<'a> {
    title: &'a str,
    label: &'static str,
    hint: &'static str,
    submit: &'static str,
    input_id: &'static str,
    submit_id: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    failed: bool,
    msg: fn(String) -> Msg,
}
