import Testing

@testable import OperatorKit

@Suite("Backoff")
struct BackoffTests {
    @Test("watch restarts back off from 800 ms doubling to 30 s, jittered by up to 100 %")
    func watchRestartDefaults() {
        var noJitter = Backoff.watchRestart
        noJitter.random = { 0 }
        let start = ClockInstant(offset: .zero)
        let delays = (0..<8).map { noJitter.nextDelay(now: start.advanced(by: .seconds($0))) }
        #expect(delays == [
            .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400),
            .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30),
        ])

        var fullJitter = Backoff.watchRestart
        fullJitter.random = { 0.999 }
        let first = fullJitter.nextDelay(now: start)
        #expect(first > .milliseconds(1590) && first < .milliseconds(1600))
    }

    @Test("a quiet period of two minutes starts the backoff over")
    func resetsAfterQuietPeriod() {
        var backoff = Backoff.watchRestart
        backoff.random = { 0 }
        let start = ClockInstant(offset: .zero)
        _ = backoff.nextDelay(now: start)
        _ = backoff.nextDelay(now: start + .seconds(1))
        #expect(backoff.nextDelay(now: start + .seconds(60)) == .milliseconds(3200))
        #expect(backoff.nextDelay(now: start + .seconds(181)) == .milliseconds(800))
    }
}
