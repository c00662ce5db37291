import Foundation
import KubeClient
import Scheduling

/// A cron schedule in a time zone, as a CronJob's `schedule` and `timeZone` read: when a
/// scheduled resource (an audit, a workflow) runs next. Reconcilers return
/// ``ReconcileResult/requeue(at:now:)`` with ``next(after:)`` to be woken then; the wake-up
/// is a work-queue delay, so nothing polls in between.
public struct Schedule: Sendable, Equatable {
    public let cron: CronSchedule
    public let timeZone: TimeZone
    public let text: String

    /// Parses `schedule` (five fields, `@daily`, `@every 90s`, an optional `CRON_TZ=` prefix)
    /// and `timeZone` (an IANA name, UTC when nil). Errors name `field`.
    public init(_ schedule: String, timeZone: String? = nil, field: String = "spec.schedule") throws(SpecError) {
        do {
            cron = try CronSchedule(parsing: schedule)
        } catch {
            throw SpecError(field: field, message: "\(error.problem); use five fields (minute hour day-of-month month day-of-week), e.g. \"0 3 * * *\", or @hourly/@daily/@weekly")
        }
        if let timeZone {
            guard let zone = TimeZone(identifier: timeZone) else {
                throw SpecError(field: field.replacingOccurrences(of: "schedule", with: "timeZone"),
                                message: "unknown time zone \"\(timeZone)\"; use an IANA name such as Europe/Berlin")
            }
            self.timeZone = zone
        } else {
            self.timeZone = TimeZone(identifier: "UTC")!
        }
        text = schedule
    }

    /// The first activation strictly after `date`.
    public func next(after date: Date) -> Date? { cron.next(after: date, zone: timeZone) }
}

extension ReconcileResult {
    /// Look again at `date` on the wall clock (a schedule's next run), `now` being the pass's time.
    public static func requeue(at date: Date, now: Date) -> ReconcileResult {
        .requeue(after: max(.milliseconds(1), .seconds(fractional: date.timeIntervalSince(now))))
    }
}
