import Foundation
import Integrations
import KubeClient
import OperatorKit
import OpsAPI

/// What one action is owed now: the Firing notice of an episode (first or repeat), or its
/// Resolved notice.
struct OwedDelivery: Sendable, Equatable {
    var state: AlertState
    var episode: String
    /// 0 for the first Firing notice of the episode, n for its n-th repeat; 0 for Resolved.
    var sequence: Int
    var isRepeat: Bool { state == .firing && sequence > 0 }

    /// The background job of one attempt: a delivery is one job per attempt, and a job's
    /// result stays until the status records it, so nothing is sent twice.
    func jobID(rule uid: String, action: String, attempt: Int) -> String {
        "alertrule/\(uid)/notify/\(action)/\(episode)/\(state.rawValue)/\(sequence)/\(attempt)"
    }
}

/// The result of one delivery attempt.
enum DeliveryOutcome: Sendable {
    case delivered(Date)
    case failed(String)
}

/// Decides what each action is owed, from the rule's status and what the action was told.
///
/// - Firing: the episode's first notice when the action has not been told of this episode;
///   then a repeat each `repeatInterval` (Alertmanager: each resend period, as Prometheus
///   resends while an alert fires, so its `endsAt` never lapses).
/// - Resolved (or Pending/Inactive after a Firing the action was told of): the Resolved
///   notice, once, when `sendResolved`.
enum DeliveryPlan {
    /// How often an Alertmanager is told again that an alert still fires.
    static func alertmanagerResend(_ spec: AlertRuleSpec) -> Duration {
        min(max(spec.effectiveInterval, .seconds(1)), .seconds(60))
    }

    static func owed(_ action: AlertAction, _ entry: NotificationStatus, status: some AlertStateFields, spec: AlertRuleSpec,
                     now: Date) -> OwedDelivery? {
        guard let episode = status.firingSince else { return nil }
        let state = status.state.flatMap(AlertState.init(rawValue:)) ?? .inactive
        let toldOfEpisode = entry.notifiedEpisode == episode
        if state == .firing {
            guard toldOfEpisode, entry.notifiedState == AlertState.firing.rawValue else {
                return OwedDelivery(state: .firing, episode: episode, sequence: 0)
            }
            let period = action.alertmanager != nil ? alertmanagerResend(spec) : spec.effectiveRepeatInterval
            guard let last = entry.lastSent.flatMap(KubeTimestamp.parse), now.timeIntervalSince(last) >= period.seconds - 0.000_5
            else { return nil }
            return OwedDelivery(state: .firing, episode: episode, sequence: entry.sentCount ?? 1)
        }
        guard toldOfEpisode, entry.notifiedState == AlertState.firing.rawValue,
              action.sendResolved ?? spec.sendsResolved, action.workflow == nil else { return nil }
        return OwedDelivery(state: .resolved, episode: episode, sequence: 0)
    }

    /// When `entry` next owes a repeat, for the requeue.
    static func nextRepeat(_ action: AlertAction, _ entry: NotificationStatus, status: some AlertStateFields, spec: AlertRuleSpec) -> Date? {
        guard status.state == AlertState.firing.rawValue, entry.notifiedState == AlertState.firing.rawValue,
              entry.notifiedEpisode == status.firingSince, let last = entry.lastSent.flatMap(KubeTimestamp.parse) else { return nil }
        let period = action.alertmanager != nil ? alertmanagerResend(spec) : spec.effectiveRepeatInterval
        return last.addingTimeInterval(period.seconds)
    }

    /// Time before attempt `attempts + 1` of a failed delivery: 1 s, 2 s, 4 s… up to 5 min.
    static func backoff(attempts: Int) -> Duration {
        .seconds(min(300, 1 << min(max(attempts - 1, 0), 9)))
    }
}

/// The Secrets an AlertRule's actions read, from the informer cache.
struct SecretValues: Sendable {
    let cache: InformerCache
    static let secrets = ResourceDescriptor(resource: .secrets, kind: "Secret")

    enum Problem: Error, CustomStringConvertible {
        case missing(secret: String, field: String)
        case missingKey(secret: String, key: String, field: String)
        var description: String {
            switch self {
            case .missing(let secret, let field): return "Secret \(secret) (\(field)) not found"
            case .missingKey(let secret, let key, let field): return "Secret \(secret) has no key \(key) (\(field))"
            }
        }
    }

    func value(_ ref: SecretKeyReference, namespace: String, field: String) -> Result<String, Problem> {
        let name = "\(namespace)/\(ref.name)"
        guard let secret = cache.get(Self.secrets, ObjectKey(namespace: namespace, name: ref.name)) else {
            return .failure(.missing(secret: name, field: field))
        }
        if let encoded = secret["data"][ref.key].stringValue, let data = Data(base64Encoded: encoded) {
            return .success(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let plain = secret["stringData"][ref.key].stringValue { return .success(plain) }
        return .failure(.missingKey(secret: name, key: ref.key, field: field))
    }

    /// Every Secret problem of the rule's actions, with the field that names the Secret.
    func problems(_ spec: AlertRuleSpec, namespace: String) -> [Problem] {
        var problems: [Problem] = []
        for (i, action) in (spec.actions ?? []).enumerated() {
            for (field, ref) in action.secretReferences {
                if case .failure(let problem) = value(ref, namespace: namespace, field: "spec.actions[\(i)].\(field)") {
                    problems.append(problem)
                }
            }
        }
        return problems
    }

    /// The notifier of `action`, its URLs and keys read from their Secrets; nil for a
    /// workflow action (``WorkflowStarter`` starts those).
    func notifier(_ action: AlertAction, namespace: String, transport: any HTTPTransport) throws(Problem) -> (any Notifier)? {
        func read(_ ref: SecretKeyReference, _ field: String) throws(Problem) -> String {
            try value(ref, namespace: namespace, field: "\(action.name).\(field)").get()
        }
        if let webhook = action.webhook { return WebhookNotifier(url: try read(webhook.urlSecretRef, "webhook.urlSecretRef"), transport: transport) }
        if let slack = action.slack {
            return SlackNotifier(url: try read(slack.urlSecretRef, "slack.urlSecretRef"), channel: slack.channel, transport: transport)
        }
        if let pd = action.pagerduty {
            var url: String?
            if let ref = pd.urlSecretRef { url = try read(ref, "pagerduty.urlSecretRef") }
            return PagerDutyNotifier(routingKey: try read(pd.routingKeySecretRef, "pagerduty.routingKeySecretRef"), url: url, transport: transport)
        }
        if let am = action.alertmanager {
            return AlertmanagerNotifier(baseURL: try read(am.urlSecretRef, "alertmanager.urlSecretRef"), transport: transport)
        }
        if let email = action.email {
            var user: String?, password: String?
            if let ref = email.usernameSecretRef { user = try read(ref, "email.usernameSecretRef") }
            if let ref = email.passwordSecretRef { password = try read(ref, "email.passwordSecretRef") }
            return SMTPNotifier(url: try read(email.urlSecretRef, "email.urlSecretRef"), username: user, password: password,
                                from: email.from, to: email.to)
        }
        return nil
    }

    /// Every value the rule's Secrets hold, so an error text never repeats one.
    func allValues(_ spec: AlertRuleSpec, namespace: String) -> [String] {
        (spec.actions ?? []).flatMap { action in
            action.secretReferences.compactMap { try? value($0.ref, namespace: namespace, field: $0.field).get() }
        }.filter { $0.count >= 4 }
    }
}
