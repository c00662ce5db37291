import Foundation

/// The built-in credential detectors. Their matches are never mapped back into a result.
enum SecretDetectors {
    /// Names of variables and fields whose values are secret: the issue's `*TOKEN*`,
    /// `*PASSWORD*`, `*KEY*`, and their usual relatives. Matching is by substring and
    /// deliberately broad: a needlessly hidden value costs less than a leaked one.
    static let secretNamePattern =
        #"(?i)(token|passw(or)?d|pwd|secret|key|credential|auth|private|cert|session|cookie|signature|salt|dsn|connection_?string)"#

    /// Field names that mark the value after `=` or `:` as secret in free text (log lines,
    /// event messages). Narrower than ``secretNamePattern``: words like "key" alone are
    /// too common in prose.
    static let textFieldNames =
        #"[A-Za-z0-9_.-]*(?:token|passw(?:or)?d|pwd|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|session[_-]?id)[A-Za-z0-9_.-]*"#

    struct Detector {
        let category: String
        let pattern: String
        /// The capture group to replace; 0 is the whole match.
        let group: Int
        /// What every match contains, tested before the expression runs.
        let hint: LiteralHint
    }

    /// In the order they run: multi-line and structured tokens first, so a later, looser
    /// pattern never splits one.
    static let all: [Detector] = [
        Detector(category: "private-key",
                 pattern: #"-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)"#,
                 group: 0, hint: LiteralHint(["-----BEGIN"])),
        Detector(category: "jwt",
                 pattern: #"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"#,
                 group: 0, hint: LiteralHint(["eyJ"])),
        Detector(category: "bearer-token",
                 pattern: #"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]+=*)"#,
                 group: 1, hint: LiteralHint(["bearer"], ignoringCase: true)),
        Detector(category: "basic-auth",
                 pattern: #"(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})"#,
                 group: 1, hint: LiteralHint(["basic"], ignoringCase: true)),
        Detector(category: "aws-access-key",
                 pattern: #"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b"#,
                 group: 0, hint: LiteralHint(["AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "ABIA", "ACCA"])),
        Detector(category: "api-token",
                 pattern: #"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,})"#,
                 group: 0, hint: LiteralHint(["gh", "xox", "sk-", "AIza", "glpat-"])),
        Detector(category: "url-password",
                 pattern: #"[A-Za-z][A-Za-z0-9+.-]*://[^:/\s@]+:([^@\s/]+)@"#,
                 group: 1, hint: LiteralHint(["://"])),
        Detector(category: "credential",
                 // A boolean or null after the name (`automountServiceAccountToken: false`) is a
                 // setting, not a credential, and stays readable.
                 pattern: #"(?i)(?<![A-Za-z0-9])"# + textFieldNames
                     + #"["']?\s*[:=]\s*["']?(?!(?:true|false|null)(?![^\s"',;&)}\]]))([^\s"',;&)}\]]+)"#,
                 // Every alternative of `textFieldNames` contains one of these.
                 group: 1, hint: LiteralHint(["token", "passw", "pwd", "secret", "api", "access", "private", "credential", "session"],
                                             ignoringCase: true)),
        Detector(category: "opaque-blob",
                 pattern: #"(?m)^\s*([A-Za-z0-9+/]{40,}={0,2})\s*$"#,
                 group: 1, hint: LiteralHint([], minimumLength: 40)),
    ]
}
