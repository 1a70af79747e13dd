//! Every string relink shows, in English, Japanese and German: the sandbox flow UI's
//! [`Strings`] and the mandate form's [`MandateStrings`], kept apart so that each build carries
//! only its own.
//!
//! Templates use `{0}`, `{1}`… placeholders filled by [`fill`]; the filled-in values are
//! untrusted names, which is fine because the DOM layer only ever sets `textContent`.

use crate::model::Permission;

/// A language the modal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Japanese.
    Ja,
    /// German.
    De,
}

impl Locale {
    /// The locale for the `locale` option, where `auto` (or no option) follows the browser.
    ///
    /// Returns `None` for a value that is not `en`, `ja`, `de` or `auto`.
    ///
    /// ```
    /// use relink::i18n::Locale;
    /// assert_eq!(Locale::resolve(Some("auto"), Some("de-CH")), Some(Locale::De));
    /// assert_eq!(Locale::resolve(None, Some("fr-FR")), Some(Locale::En));
    /// assert_eq!(Locale::resolve(Some("xx"), None), None);
    /// ```
    pub fn resolve(option: Option<&str>, browser_language: Option<&str>) -> Option<Locale> {
        match option.unwrap_or("auto") {
            "auto" => Some(
                browser_language
                    .and_then(|tag| Locale::from_tag(cut(tag, b'-').map_or(tag, |(lang, _)| lang)))
                    .unwrap_or(Locale::En),
            ),
            tag => Locale::from_tag(tag),
        }
    }

    fn from_tag(tag: &str) -> Option<Locale> {
        match tag.to_ascii_lowercase().as_str() {
            "en" => Some(Locale::En),
            "ja" => Some(Locale::Ja),
            "de" => Some(Locale::De),
            _ => None,
        }
    }

    /// The BCP 47 tag, for the modal's `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ja => "ja",
            Locale::De => "de",
        }
    }

    /// The flow's strings in this locale.
    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::En => &EN,
            Locale::Ja => &JA,
            Locale::De => &DE,
        }
    }

    /// The mandate form's strings in this locale.
    pub fn mandate_strings(self) -> &'static MandateStrings {
        match self {
            Locale::En => &EN_MANDATE,
            Locale::Ja => &JA_MANDATE,
            Locale::De => &DE_MANDATE,
        }
    }
}

/// Replaces `{0}`, `{1}`… in `template` with `args`.
///
/// ```
/// assert_eq!(relink::i18n::fill("Log in to {0}", &["MFA Bank"]), "Log in to MFA Bank");
/// ```
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = cut(rest, b'{') {
        out.push_str(before);
        let placeholder = cut(after, b'}').and_then(|(index, tail)| {
            let arg = args.get(index.parse::<usize>().ok()?)?;
            Some((arg, tail))
        });
        match placeholder {
            Some((arg, tail)) => {
                out.push_str(arg);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` before and after the first `byte`, an ASCII character. Cut with `get`, which cannot
/// split a character and so brings no panic path (and with it much of `core::fmt`) into the
/// wasm; `str::split_once` would bring its character searcher too.
pub(crate) fn cut(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The modal's text in one language.
#[derive(Debug)]
pub struct Strings {
    pub close: &'static str,
    pub back: &'static str,
    pub loading: &'static str,
    /// `{0}` merchant.
    pub consent_title: &'static str,
    /// `{0}` institution.
    pub relink_title: &'static str,
    /// `{0}` merchant.
    pub relink_intro: &'static str,
    /// `{0}` merchant.
    pub consent_intro: &'static str,
    pub consent_footer: &'static str,
    pub agree: &'static str,
    pub search_title: &'static str,
    pub search_label: &'static str,
    pub no_results: &'static str,
    pub unavailable: &'static str,
    /// `{0}` institution.
    pub login_title: &'static str,
    pub password_label: &'static str,
    pub password_hint: &'static str,
    pub login_submit: &'static str,
    /// `{0}` institution.
    pub mfa_title: &'static str,
    pub mfa_label: &'static str,
    pub mfa_hint: &'static str,
    pub mfa_submit: &'static str,
    /// `{0}` institution.
    pub oauth_title: &'static str,
    /// `{0}` institution, `{1}` merchant.
    pub oauth_intro: &'static str,
    pub oauth_authorize: &'static str,
    /// The bank window's account list. `{0}` institution, `{1}` merchant.
    pub oauth_accounts_title: &'static str,
    /// `{0}` merchant.
    pub oauth_accounts_submit: &'static str,
    pub select_one_title: &'static str,
    pub select_many_title: &'static str,
    /// `{0}` account name, `{1}` last4.
    pub select_expected: &'static str,
    pub not_eligible: &'static str,
    pub link_one: &'static str,
    pub link_many: &'static str,
    pub wrong_title: &'static str,
    /// `{0}` merchant, `{1}` expected name, `{2}` expected last4, `{3}` chosen last4.
    pub wrong_body: &'static str,
    pub try_again: &'static str,
    /// `{0}` institution.
    pub authenticating: &'static str,
    pub linking: &'static str,
    pub finishing: &'static str,
    pub success_title: &'static str,
    /// `{0}` institution.
    pub relink_success_title: &'static str,
    /// `{0}` merchant.
    pub success_body: &'static str,
    pub done: &'static str,
    pub failure_title: &'static str,
    /// `{0}` institution.
    pub institution_down: &'static str,
    pub login_failed: &'static str,
    pub not_linked: &'static str,
    pub generic_error: &'static str,
    /// `{0}` last4.
    pub ending_in: &'static str,
    pub dialog_label: &'static str,
    pub permission_payment_method: (&'static str, &'static str),
    pub permission_balances: (&'static str, &'static str),
    pub permission_ownership: (&'static str, &'static str),
    pub permission_transactions: (&'static str, &'static str),
}

impl Strings {
    /// The label and explanation of a permission on the consent screen.
    pub fn permission(&self, permission: Permission) -> (&'static str, &'static str) {
        match permission {
            Permission::PaymentMethod => self.permission_payment_method,
            Permission::Balances => self.permission_balances,
            Permission::Ownership => self.permission_ownership,
            Permission::Transactions => self.permission_transactions,
        }
    }
}

static EN: Strings = Strings {
    close: "Close",
    back: "Back",
    loading: "Loading…",
    consent_title: "{0} uses Stripe to link your accounts",
    relink_title: "Reconnect your {0} account",
    relink_intro: "The connection to your bank stopped working. Log in again so {0} can keep using your account.",
    consent_intro: "{0} will be able to access:",
    consent_footer: "You can disconnect your accounts at any time. Your login details are never shared with the merchant.",
    agree: "Agree and continue",
    search_title: "Select your bank",
    search_label: "Search for your bank",
    no_results: "No banks match your search.",
    unavailable: "Currently unavailable",
    login_title: "Log in to {0}",
    password_label: "Password",
    password_hint: "Sandbox: the test password is pass_good.",
    login_submit: "Log in",
    mfa_title: "Enter the code from {0}",
    mfa_label: "One-time code",
    mfa_hint: "Sandbox: the test code is 123456.",
    mfa_submit: "Verify",
    oauth_title: "Continue at {0}",
    oauth_intro: "{0} will ask you to approve access for {1}. You choose which accounts to share there.",
    oauth_authorize: "Authorize",
    oauth_accounts_title: "{0} — choose the accounts to share with {1}",
    oauth_accounts_submit: "Confirm and return to {0}",
    select_one_title: "Select an account",
    select_many_title: "Select accounts",
    select_expected: "Select {0} ending in {1} to reconnect it.",
    not_eligible: "Not supported",
    link_one: "Link account",
    link_many: "Link accounts",
    wrong_title: "That isn't the expected account",
    wrong_body: "{0} asked you to reconnect {1} ending in {2}, but you selected the account ending in {3}.",
    try_again: "Try again",
    authenticating: "Connecting to {0}…",
    linking: "Linking your account…",
    finishing: "Finishing…",
    success_title: "Your account is linked",
    relink_success_title: "Your {0} account is reconnected",
    success_body: "{0} can now use:",
    done: "Done",
    failure_title: "Something went wrong",
    institution_down: "{0} is unavailable right now. Please try again later.",
    login_failed: "The login details were not accepted. Check them and try again.",
    not_linked: "The account was not linked.",
    generic_error: "Something went wrong. Please try again later.",
    ending_in: "ending in {0}",
    dialog_label: "Link your bank account",
    permission_payment_method: (
        "Account and routing numbers",
        "To make payments from or to this account.",
    ),
    permission_balances: (
        "Balances",
        "The current and available balance of the account.",
    ),
    permission_ownership: (
        "Account ownership",
        "The name and address of the account holder.",
    ),
    permission_transactions: (
        "Transactions",
        "Past and future transactions on the account.",
    ),
};

static JA: Strings = Strings {
    close: "閉じる",
    back: "戻る",
    loading: "読み込み中…",
    consent_title: "{0} は Stripe を使用して口座を連携します",
    relink_title: "{0} の口座を再連携",
    relink_intro: "銀行との接続が切れました。{0} が引き続き口座を利用できるよう、もう一度ログインしてください。",
    consent_intro: "{0} は次の情報にアクセスできます:",
    consent_footer: "口座の連携はいつでも解除できます。ログイン情報が加盟店に共有されることはありません。",
    agree: "同意して続行",
    search_title: "銀行を選択",
    search_label: "銀行を検索",
    no_results: "該当する銀行がありません。",
    unavailable: "現在利用できません",
    login_title: "{0} にログイン",
    password_label: "パスワード",
    password_hint: "サンドボックス: テスト用パスワードは pass_good です。",
    login_submit: "ログイン",
    mfa_title: "{0} から届いたコードを入力",
    mfa_label: "ワンタイムコード",
    mfa_hint: "サンドボックス: テスト用コードは 123456 です。",
    mfa_submit: "確認",
    oauth_title: "{0} で続行",
    oauth_intro: "{0} で {1} へのアクセスを承認してください。共有する口座はそこで選択します。",
    oauth_authorize: "承認",
    oauth_accounts_title: "{0} — {1} と共有する口座を選択してください",
    oauth_accounts_submit: "確認して {0} に戻る",
    select_one_title: "口座を選択",
    select_many_title: "口座を選択",
    select_expected: "再連携するには、末尾 {1} の {0} を選択してください。",
    not_eligible: "対象外",
    link_one: "口座を連携",
    link_many: "口座を連携",
    wrong_title: "指定された口座ではありません",
    wrong_body: "{0} が再連携を求めているのは末尾 {2} の {1} ですが、末尾 {3} の口座が選択されました。",
    try_again: "やり直す",
    authenticating: "{0} に接続中…",
    linking: "口座を連携中…",
    finishing: "終了処理中…",
    success_title: "口座が連携されました",
    relink_success_title: "{0} の口座が再連携されました",
    success_body: "{0} は次の口座を利用できます:",
    done: "完了",
    failure_title: "問題が発生しました",
    institution_down: "{0} は現在利用できません。しばらくしてからもう一度お試しください。",
    login_failed: "ログイン情報が正しくありません。確認してもう一度お試しください。",
    not_linked: "口座は連携されませんでした。",
    generic_error: "問題が発生しました。しばらくしてからもう一度お試しください。",
    ending_in: "末尾 {0}",
    dialog_label: "銀行口座の連携",
    permission_payment_method: ("口座番号と支店番号", "この口座での支払いと入金のため。"),
    permission_balances: ("残高", "口座の現在残高と利用可能残高。"),
    permission_ownership: ("口座名義", "口座名義人の氏名と住所。"),
    permission_transactions: ("取引履歴", "口座の過去および今後の取引。"),
};

static DE: Strings = Strings {
    close: "Schließen",
    back: "Zurück",
    loading: "Wird geladen…",
    consent_title: "{0} verknüpft Ihre Konten mit Stripe",
    relink_title: "Ihr Konto bei {0} erneut verbinden",
    relink_intro: "Die Verbindung zu Ihrer Bank funktioniert nicht mehr. Melden Sie sich erneut an, damit {0} Ihr Konto weiter nutzen kann.",
    consent_intro: "{0} erhält Zugriff auf:",
    consent_footer: "Sie können die Verknüpfung jederzeit aufheben. Ihre Zugangsdaten werden nie an den Händler weitergegeben.",
    agree: "Zustimmen und fortfahren",
    search_title: "Wählen Sie Ihre Bank",
    search_label: "Bank suchen",
    no_results: "Keine Bank entspricht Ihrer Suche.",
    unavailable: "Derzeit nicht verfügbar",
    login_title: "Bei {0} anmelden",
    password_label: "Passwort",
    password_hint: "Sandbox: Das Testpasswort ist pass_good.",
    login_submit: "Anmelden",
    mfa_title: "Code von {0} eingeben",
    mfa_label: "Einmalcode",
    mfa_hint: "Sandbox: Der Testcode ist 123456.",
    mfa_submit: "Bestätigen",
    oauth_title: "Weiter bei {0}",
    oauth_intro: "{0} bittet Sie, den Zugriff für {1} zu genehmigen. Dort wählen Sie die Konten aus.",
    oauth_authorize: "Genehmigen",
    oauth_accounts_title: "{0} — wählen Sie die Konten, die Sie mit {1} teilen",
    oauth_accounts_submit: "Bestätigen und zurück zu {0}",
    select_one_title: "Konto auswählen",
    select_many_title: "Konten auswählen",
    select_expected: "Wählen Sie {0} mit der Endung {1}, um es erneut zu verbinden.",
    not_eligible: "Nicht unterstützt",
    link_one: "Konto verknüpfen",
    link_many: "Konten verknüpfen",
    wrong_title: "Das ist nicht das erwartete Konto",
    wrong_body: "{0} hat Sie gebeten, {1} mit der Endung {2} erneut zu verbinden, aber Sie haben das Konto mit der Endung {3} gewählt.",
    try_again: "Erneut versuchen",
    authenticating: "Verbindung mit {0}…",
    linking: "Konto wird verknüpft…",
    finishing: "Wird abgeschlossen…",
    success_title: "Ihr Konto ist verknüpft",
    relink_success_title: "Ihr Konto bei {0} ist wieder verbunden",
    success_body: "{0} kann jetzt nutzen:",
    done: "Fertig",
    failure_title: "Etwas ist schiefgelaufen",
    institution_down: "{0} ist derzeit nicht erreichbar. Bitte versuchen Sie es später erneut.",
    login_failed: "Die Anmeldedaten wurden nicht akzeptiert. Bitte prüfen Sie sie und versuchen Sie es erneut.",
    not_linked: "Das Konto wurde nicht verknüpft.",
    generic_error: "Etwas ist schiefgelaufen. Bitte versuchen Sie es später erneut.",
    ending_in: "Endung {0}",
    dialog_label: "Bankkonto verknüpfen",
    permission_payment_method: (
        "Konto- und Bankleitzahl",
        "Für Zahlungen von oder auf dieses Konto.",
    ),
    permission_balances: ("Kontostände", "Aktueller und verfügbarer Kontostand."),
    permission_ownership: ("Kontoinhaber", "Name und Adresse des Kontoinhabers."),
    permission_transactions: ("Umsätze", "Vergangene und künftige Umsätze des Kontos."),
};

/// The mandate form's text in one language: all the production core carries, so a page that
/// only confirms mandates downloads none of the flow's strings.
#[derive(Debug)]
pub struct MandateStrings {
    /// `{0}` button label, `{1}` merchant.
    pub mandate: &'static str,
    pub mandate_accept: &'static str,
    pub mandate_confirmed: &'static str,
    /// Why confirming failed when the bank account's link is broken and can be repaired.
    pub mandate_inactive: &'static str,
    pub mandate_relink: &'static str,
    pub mandate_relink_failed: &'static str,
    /// `{0}` bank, `{1}` last4: the account the mandate debits.
    pub mandate_account: &'static str,
}

static EN_MANDATE: MandateStrings = MandateStrings {
    mandate: "By clicking {0}, you authorize {1} to debit the bank account specified above for any amount owed for charges arising from your use of {1}'s services and/or purchase of products from {1}, pursuant to {1}'s website and terms, until this authorization is revoked. You may amend or cancel this authorization at any time by providing notice to {1} with 30 (thirty) days notice.",
    mandate_accept: "Accept and save",
    mandate_confirmed: "Your bank account is saved.",
    mandate_inactive: "The connection to your bank stopped working. Reconnect your bank account to save it.",
    mandate_relink: "Reconnect your bank account",
    mandate_relink_failed: "Your bank account was not reconnected. Try again, or use another bank account.",
    mandate_account: "{0} account ending in {1}",
};

static JA_MANDATE: MandateStrings = MandateStrings {
    mandate: "「{0}」をクリックすると、{1} のサービスの利用または {1} からの商品の購入により生じる料金を、{1} のウェブサイトおよび規約に従い、上記の銀行口座から引き落とすことを、この承認が取り消されるまで {1} に許可したことになります。この承認は、30 日前までに {1} に通知することでいつでも変更または取り消すことができます。",
    mandate_accept: "同意して保存",
    mandate_confirmed: "銀行口座が保存されました。",
    mandate_inactive: "銀行との接続が切れています。保存するには銀行口座を再連携してください。",
    mandate_relink: "銀行口座を再連携",
    mandate_relink_failed: "銀行口座は再連携されませんでした。もう一度お試しいただくか、別の銀行口座をご利用ください。",
    mandate_account: "{0} の口座(末尾 {1})",
};

static DE_MANDATE: MandateStrings = MandateStrings {
    mandate: "Mit einem Klick auf „{0}“ ermächtigen Sie {1}, das oben angegebene Bankkonto mit allen Beträgen zu belasten, die aus Ihrer Nutzung der Dienste von {1} oder dem Kauf von Produkten bei {1} gemäß der Website und den Bedingungen von {1} entstehen, bis diese Ermächtigung widerrufen wird. Sie können diese Ermächtigung jederzeit mit einer Frist von 30 (dreißig) Tagen gegenüber {1} ändern oder widerrufen.",
    mandate_accept: "Zustimmen und speichern",
    mandate_confirmed: "Ihr Bankkonto ist gespeichert.",
    mandate_inactive: "Die Verbindung zu Ihrer Bank funktioniert nicht mehr. Verbinden Sie Ihr Bankkonto erneut, um es zu speichern.",
    mandate_relink: "Bankkonto erneut verbinden",
    mandate_relink_failed: "Ihr Bankkonto wurde nicht wieder verbunden. Versuchen Sie es erneut oder verwenden Sie ein anderes Bankkonto.",
    mandate_account: "Konto bei {0} mit der Endung {1}",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_leaves_unknown_placeholders_alone() {
        assert_eq!(fill("{0} and {1} {x}", &["a"]), "a and {1} {x}");
    }

    #[test]
    fn every_locale_names_the_same_placeholders() {
        for locale in [Locale::Ja, Locale::De] {
            let (en, other) = (Locale::En.strings(), locale.strings());
            for (a, b) in [
                (en.wrong_body, other.wrong_body),
                (en.oauth_intro, other.oauth_intro),
                (en.oauth_accounts_title, other.oauth_accounts_title),
                (en.oauth_accounts_submit, other.oauth_accounts_submit),
                (en.select_expected, other.select_expected),
                (
                    Locale::En.mandate_strings().mandate_account,
                    locale.mandate_strings().mandate_account,
                ),
            ] {
                for placeholder in ["{0}", "{1}", "{2}", "{3}"] {
                    assert_eq!(a.contains(placeholder), b.contains(placeholder), "{b}");
                }
            }
        }
    }
}
