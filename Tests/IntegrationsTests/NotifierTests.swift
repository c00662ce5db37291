import Foundation
import Integrations
import KubeClient
import Testing
import TestSupport

/// Each notifier against an in-process receiver, checked against the receiver's documented format.
@Suite struct NotifierTests {
    static let notice = AlertNotice(
        status: .firing, rule: "high-error-rate", namespace: "shop", severity: "critical", description: "checkout fails requests",
        labels: ["alertname": "high-error-rate", "team": "payments"], annotations: ["summary": "error rate 50%"], value: 0.5,
        series: [.init(labels: ["pod": "checkout-1"], value: 0.5), .init(labels: ["pod": "checkout-2"], value: 0.4)], seriesCount: 3,
        startsAt: Date(timeIntervalSince1970: 1_750_000_000), dedupKey: "opsagent/shop/high-error-rate/2025-06-15T15:06:40.000Z",
        analysisSummary: "checkout pods answer 5xx", rootCause: "workload shop/checkout: error-rate behaviour",
        recommendations: ["roll back checkout"])

    static var resolved: AlertNotice {
        var n = notice
        n.status = .resolved
        n.endsAt = Date(timeIntervalSince1970: 1_750_000_600)
        return n
    }

    @Test func webhookCarriesTheAlertItsSeriesAndTheAnalysis() async throws {
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        try await WebhookNotifier(url: receiver.url + "/hook").send(Self.notice)
        let body = try #require(receiver.requests(path: "/hook").first?.json)
        #expect(receiver.requests.first?.headers["content-type"] == "application/json")
        #expect(body["status"] == "firing")
        #expect(body["groupKey"] == .string(Self.notice.dedupKey))
        #expect(body["alert"]["rule"] == "high-error-rate")
        #expect(body["alert"]["severity"] == "critical")
        #expect(body["alert"]["value"] == 0.5)
        #expect(body["alert"]["labels"]["team"] == "payments")
        #expect(body["series"].arrayValue?.count == 2)
        #expect(body["seriesCount"] == 3)
        #expect(body["analysis"]["rootCause"] == "workload shop/checkout: error-rate behaviour")
        #expect(body["analysis"]["recommendations"][0] == "roll back checkout")
    }

    @Test func slackIncomingWebhookPayload() async throws {
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        try await SlackNotifier(url: receiver.url + "/services/T000/B000/XXXX", channel: "#ops").send(Self.notice)
        let body = try #require(receiver.requests.first?.json)
        #expect(body["text"].stringValue?.hasPrefix("[FIRING] shop/high-error-rate (critical)") == true)
        #expect(body["channel"] == "#ops")
        #expect(body["attachments"][0]["color"] == "danger")
        #expect(body["attachments"][0]["text"].stringValue?.contains("*Probable cause:* workload shop/checkout") == true)
        try await SlackNotifier(url: receiver.url + "/s").send(Self.resolved)
        #expect(receiver.requests.last?.json?["attachments"][0]["color"] == "good")

        // Slack's errors come as text with a non-200 status; the URL (it holds the token) is never repeated.
        receiver.reply("invalid_payload", status: 400)
        let error = await #expect(throws: NotifyError.self) { try await SlackNotifier(url: receiver.url + "/services/T000/B000/XXXX").send(Self.notice) }
        #expect(error?.message.contains("invalid_payload") == true)
        #expect(error?.message.contains("XXXX") == false)
    }

    @Test func pagerDutyTriggersAndResolvesWithOneDedupKey() async throws {
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        receiver.reply(#"{"status":"success","message":"Event processed","dedup_key":"x"}"#, status: 202)
        let pagerduty = PagerDutyNotifier(routingKey: "R0UT1NGKEY0123456789012345678901", url: receiver.url + "/v2/enqueue")
        try await pagerduty.send(Self.notice)
        try await pagerduty.send(Self.resolved)
        let events = receiver.requests(path: "/v2/enqueue").compactMap(\.json)
        #expect(events.count == 2)
        let trigger = events[0], resolve = events[1]
        #expect(trigger["routing_key"] == "R0UT1NGKEY0123456789012345678901")
        #expect(trigger["event_action"] == "trigger")
        #expect(trigger["payload"]["severity"] == "critical")
        #expect(trigger["payload"]["source"] == "opsagent/shop")
        #expect(trigger["payload"]["summary"].stringValue?.isEmpty == false)
        #expect(trigger["payload"]["timestamp"] == "2025-06-15T15:06:40Z")
        #expect(trigger["payload"]["custom_details"]["rootCause"] == "workload shop/checkout: error-rate behaviour")
        #expect(resolve["event_action"] == "resolve")
        #expect(resolve["dedup_key"] == trigger["dedup_key"])
        #expect(resolve["payload"].isNull, "a resolve event carries no payload")
    }

    @Test func alertmanagerGetsV2AlertsWithStartsAndEnds() async throws {
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        var firing = Self.notice
        firing.endsAt = Date(timeIntervalSince1970: 1_750_000_240)
        try await AlertmanagerNotifier(baseURL: receiver.url + "/").send(firing)
        try await AlertmanagerNotifier(baseURL: receiver.url).send(Self.resolved)
        let posts = receiver.requests(path: "/api/v2/alerts").compactMap(\.json)
        #expect(posts.count == 2)
        let alert = posts[0][0]
        #expect(alert["labels"]["alertname"] == "high-error-rate")
        #expect(alert["labels"]["namespace"] == "shop")
        #expect(alert["labels"]["severity"] == "critical")
        #expect(alert["annotations"]["summary"] == "error rate 50%")
        #expect(alert["annotations"]["root_cause"] == "workload shop/checkout: error-rate behaviour")
        #expect(alert["startsAt"] == "2025-06-15T15:06:40.000Z")
        #expect(alert["endsAt"] == "2025-06-15T15:10:40.000Z")
        #expect(posts[1][0]["endsAt"] == "2025-06-15T15:16:40.000Z")
        #expect(posts[1][0]["labels"] == alert["labels"], "the same labels identify the same alert")
    }

    @Test func aFailingReceiverIsAnErrorThatNamesTheReceiverNotTheURL() async throws {
        let receiver = await NotificationReceiver.start()
        defer { receiver.stop() }
        receiver.fail(next: 1, status: 503)
        let error = await #expect(throws: NotifyError.self) { try await WebhookNotifier(url: receiver.url + "/secret-token-path").send(Self.notice) }
        #expect(error?.message.contains("HTTP 503") == true)
        #expect(error?.message.contains("secret-token-path") == false)
        try await WebhookNotifier(url: receiver.url + "/secret-token-path").send(Self.notice)
        #expect(receiver.accepted.count == 1)
    }

    @Test func emailMessageHasTheHeadersAndTheAnalysis() {
        let text = SMTPNotifier.message(Self.notice, from: "opsagent@example.com", to: ["oncall@example.com", "sre@example.com"],
                                        date: Date(timeIntervalSince1970: 1_750_000_000))
        #expect(text.contains("From: opsagent@example.com\r\n"))
        #expect(text.contains("To: oncall@example.com, sre@example.com\r\n"))
        #expect(text.contains("Subject: [FIRING] shop/high-error-rate (critical): value 0.5 — error rate 50%\r\n"))
        #expect(text.contains("Date: Sun, 15 Jun 2025 15:06:40 +0000\r\n"))
        #expect(text.contains("Probable cause: workload shop/checkout: error-rate behaviour"))
        #expect(text.contains("\r\n\r\n"), "headers end with an empty line")
    }
}

/// Email through libcurl to a real SMTP server (aiosmtpd).
@Suite struct SMTPNotifierTests {
    @Test func anEmailReachesTheSMTPServerWithItsEnvelopeAndBody() async throws {
        let server = try await SMTPServer.start()
        defer { server.stop() }
        let email = SMTPNotifier(url: server.url, from: "opsagent@example.com", to: ["oncall@example.com", "sre@example.com"])
        try await email.send(NotifierTests.notice)
        try await email.send(NotifierTests.resolved)
        let deadline = ContinuousClock.now + .seconds(10)
        while server.messages.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let messages = server.messages
        #expect(messages.count == 2)
        let firing = try #require(messages.first { $0.contains("[FIRING]") })
        #expect(firing.contains("X-MailFrom: opsagent@example.com"))
        #expect(firing.contains("X-RcptTo: oncall@example.com, sre@example.com"))
        #expect(firing.contains("Subject: [FIRING] shop/high-error-rate (critical)"))
        #expect(firing.contains("Probable cause: workload shop/checkout: error-rate behaviour"))
        #expect(messages.contains { $0.contains("Subject: [RESOLVED] shop/high-error-rate") })

        // Nothing listening: an error that does not repeat the URL.
        let closed = SMTPNotifier(url: "smtp://127.0.0.1:9", from: "a@example.com", to: ["b@example.com"], timeout: .seconds(5))
        let error = await #expect(throws: NotifyError.self) { try await closed.send(NotifierTests.notice) }
        #expect(error?.message.contains("127.0.0.1:9") == false)
    }
}
