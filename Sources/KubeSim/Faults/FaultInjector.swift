import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// Breaks the simulated API on purpose, as the rules in force say: errors, latency, forced
/// conflicts, a paused API, watches closed on a timer, history compacted. The request
/// pipeline asks it about every API request (``screen(_:)``) and registers every watch
/// (``watchStarted(_:stop:)``); rules change at run time.
public final class FaultInjector: Sendable {
    private struct Active: Sendable {
        var rule: FaultRule
        /// For pause rules: when requests are let go.
        var until: Date?
        var timer: Task<Void, Never>?
    }

    private struct WatchEntry: Sendable {
        var request: FaultRequest
        var stop: @Sendable () -> Void
    }

    private struct State: Sendable {
        var rules: [Active] = []
        var nextID = 1
        var watches: [UInt64: WatchEntry] = [:]
        var nextWatch: UInt64 = 1
    }

    private let store: ObjectStore
    private let state = NIOLockedValueBox(State())

    public init(store: ObjectStore, rules: [FaultRule] = []) throws(FaultRuleError) {
        self.store = store
        for rule in rules { try add(rule) }
    }

    deinit {
        for active in state.withLockedValue({ $0.rules }) { active.timer?.cancel() }
    }

    // MARK: Rules

    /// No rule is in force (a pause that has run out still counts until a screen retires it).
    var isEmpty: Bool { state.withLockedValue { $0.rules.isEmpty } }

    public var rules: [FaultRule] {
        retireFinishedPauses()
        return state.withLockedValue { $0.rules.map(\.rule) }
    }

    /// Takes pause rules whose time is up out of force (their timers may run late under load).
    private func retireFinishedPauses() {
        let now = Date()
        let finished = state.withLockedValue { s -> [Active] in
            let done = s.rules.filter { $0.rule.kind == .pause && ($0.until ?? .distantFuture) <= now }
            s.rules.removeAll { $0.rule.kind == .pause && ($0.until ?? .distantFuture) <= now }
            return done
        }
        for active in finished { active.timer?.cancel() }
    }

    /// Puts a rule in force; returns it with its id.
    @discardableResult
    public func add(_ rule: FaultRule) throws(FaultRuleError) -> FaultRule {
        if let problem = rule.problems.first { throw FaultRuleError(problem) }
        var rule = rule
        let clash = state.withLockedValue { s -> Bool in
            if rule.id.isEmpty {
                while s.rules.contains(where: { $0.rule.id == "fault-\(s.nextID)" }) { s.nextID += 1 }
                rule.id = "fault-\(s.nextID)"
                s.nextID += 1
                return false
            }
            return s.rules.contains { $0.rule.id == rule.id }
        }
        if clash { throw FaultRuleError("a fault with id \"\(rule.id)\" is already in force") }
        let id = rule.id
        var active = Active(rule: rule)
        switch rule.kind {
        case .pause:
            active.until = Date().addingTimeInterval(rule.seconds ?? 0)
            active.timer = timer(after: rule.seconds ?? 0, repeating: false) { [weak self] in
                _ = self?.remove(id: id)
            }
        case .closeWatches:
            active.timer = timer(after: rule.everySeconds ?? 1, repeating: true) { [weak self] in
                self?.closeWatches(id)
            }
        case .compact:
            store.compact()
            if let every = rule.everySeconds {
                active.timer = timer(after: every, repeating: true) { [weak self] in
                    self?.fire(id) { _ in
                        self?.store.compact()
                        return true
                    }
                }
            }
        default:
            break
        }
        state.withLockedValue { $0.rules.append(active) }
        if rule.kind == .compact && rule.everySeconds == nil {
            // A one-off compaction has done its work.
            _ = remove(id: rule.id)
        }
        return rule
    }

    /// Takes a rule out of force; false when there was none with that id.
    @discardableResult
    public func remove(id: String) -> Bool {
        let removed = state.withLockedValue { s -> Active? in
            guard let index = s.rules.firstIndex(where: { $0.rule.id == id }) else { return nil }
            return s.rules.remove(at: index)
        }
        removed?.timer?.cancel()
        return removed != nil
    }

    /// Replaces every rule (an empty list ends all faults).
    public func replace(with rules: [FaultRule]) throws(FaultRuleError) -> [FaultRule] {
        for rule in rules { if let problem = rule.problems.first { throw FaultRuleError(problem) } }
        for id in self.rules.map(\.id) { remove(id: id) }
        var added: [FaultRule] = []
        for rule in rules { added.append(try add(rule)) }
        return added
    }

    // MARK: Requests

    /// Applies the rules in force to one API request: waits while a pause holds it, adds
    /// latency, or fails it with the injected error.
    public func screen(_ request: FaultRequest) async throws(APIError) {
        while true {
            let pausedUntil = state.withLockedValue { s -> Date? in
                s.rules.filter { $0.rule.kind == .pause && $0.rule.covers(request) }.compactMap(\.until).max()
            }
            guard let pausedUntil, pausedUntil > Date() else {
                if pausedUntil != nil { retireFinishedPauses() }
                break
            }
            // Hang until the pause ends (or the rule is removed, checked every 50 ms).
            let wait = min(pausedUntil.timeIntervalSinceNow, 0.05)
            do { try await Task.sleep(for: .seconds(max(wait, 0.001))) } catch { throw APIError.timeout("the request was cancelled while the API was paused") }
        }
        var delay = 0
        var failure: APIError?
        let ids = state.withLockedValue { s in s.rules.filter { $0.rule.covers(request) }.map(\.rule.id) }
        for id in ids {
            fire(id) { rule in
                switch rule.kind {
                case .latency:
                    delay += rule.latencyMilliseconds ?? 0
                    return true
                case .error where failure == nil:
                    failure = Self.error(rule, request)
                    return true
                case .conflict where failure == nil && (request.verb == "update" || request.verb == "patch"):
                    failure = APIError.conflict(request.resource, name: "",
                                                "the object has been modified; please apply your changes to the latest version and try again")
                    return true
                default:
                    return false
                }
            }
        }
        if delay > 0 {
            do { try await Task.sleep(for: .milliseconds(delay)) } catch { throw APIError.timeout("the request was cancelled") }
        }
        if let failure { throw failure }
    }

    /// Registers a running watch so close-watches rules can end it; call `end()` on the
    /// returned lease when the watch finishes.
    public func watchStarted(_ request: FaultRequest, stop: @escaping @Sendable () -> Void) -> FaultWatchLease {
        let id = state.withLockedValue { s -> UInt64 in
            let id = s.nextWatch
            s.nextWatch += 1
            s.watches[id] = WatchEntry(request: request, stop: stop)
            return id
        }
        return FaultWatchLease { [weak self] in
            self?.state.withLockedValue { _ = $0.watches.removeValue(forKey: id) }
        }
    }

    /// Ends every running watch now (or those `matching` a scope).
    public func closeAllWatches() {
        let stops = state.withLockedValue { s -> [@Sendable () -> Void] in
            defer { s.watches.removeAll() }
            return s.watches.values.map(\.stop)
        }
        for stop in stops { stop() }
    }

    /// Compacts the watch history now; returns the oldest resourceVersion a watch can still resume after.
    @discardableResult
    public func compactNow() -> UInt64 {
        store.compact()
        return store.compactedRevision
    }

    public var runningWatches: Int { state.withLockedValue { $0.watches.count } }

    // MARK: Internals

    private func closeWatches(_ ruleID: String) {
        var stops: [@Sendable () -> Void] = []
        fire(ruleID) { rule in
            stops = state.withLockedValue { s in
                var out: [@Sendable () -> Void] = []
                for (id, entry) in s.watches where rule.covers(entry.request) && Self.chance(rule.probability) {
                    out.append(entry.stop)
                    s.watches.removeValue(forKey: id)
                }
                return out
            }
            return !stops.isEmpty
        }
        for stop in stops { stop() }
    }

    /// Runs `apply` for rule `id` if it is still in force and its probability says so;
    /// counts a use (and retires the rule after `times` uses) when `apply` returns true.
    private func fire(_ id: String, _ apply: (FaultRule) -> Bool) {
        guard let rule = state.withLockedValue({ s in s.rules.first { $0.rule.id == id }?.rule }) else { return }
        let periodic = rule.kind == .closeWatches || rule.kind == .compact
        guard periodic || Self.chance(rule.probability) else { return }
        guard apply(rule) else { return }
        let exhausted = state.withLockedValue { s -> Bool in
            guard let index = s.rules.firstIndex(where: { $0.rule.id == id }), let times = s.rules[index].rule.times else {
                return false
            }
            s.rules[index].rule.times = times - 1
            return times - 1 <= 0
        }
        if exhausted { remove(id: id) }
    }

    private func timer(after seconds: Double, repeating: Bool,
                       _ body: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task {
            repeat {
                do { try await Task.sleep(for: .seconds(seconds)) } catch { return }
                body()
            } while repeating && !Task.isCancelled
        }
    }

    static func chance(_ probability: Double) -> Bool {
        probability >= 1 || (probability > 0 && Double.random(in: 0..<1) < probability)
    }

    static func error(_ rule: FaultRule, _ request: FaultRequest) -> APIError {
        let code = rule.code ?? 500
        let retry = rule.retryAfterSeconds
        let message = "injected fault \(rule.id) on \(request.verb) \(request.resource)"
        switch code {
        case 429:
            return APIError.tooManyRequests("the server has received too many requests and has asked us to try again later (\(message))",
                                            retryAfterSeconds: retry ?? 1)
        case 503:
            var error = APIError.serviceUnavailable("the server is currently unable to handle the request (\(message))")
            if let retry { error.details = (error.details ?? .init()).with(retryAfter: retry) }
            return error
        case 504:
            return APIError.timeout("the server was unable to return a response in the time allotted (\(message))",
                                    retryAfterSeconds: retry)
        case 500:
            var error = APIError.internalError("Internal error occurred: \(message)")
            if let retry { error.details = (error.details ?? .init()).with(retryAfter: retry) }
            return error
        default:
            return APIError(code: code, reason: "", message: "an error on the server (\(message)) has prevented the request from succeeding",
                            details: retry.map { .init(retryAfterSeconds: $0) })
        }
    }
}

extension APIError.Details {
    func with(retryAfter seconds: Int) -> APIError.Details {
        var copy = self
        copy.retryAfterSeconds = seconds
        return copy
    }
}

/// A watch registered with the fault injector; end it when the watch finishes.
public struct FaultWatchLease: Sendable {
    private let release: @Sendable () -> Void
    init(_ release: @escaping @Sendable () -> Void) { self.release = release }
    public func end() { release() }
}
