import Foundation

/// A cron schedule as kube-controller-manager parses CronJob schedules (robfig/cron's standard
/// parser): five fields (minute hour day-of-month month day-of-week) with `*`, `?`, lists,
/// ranges, steps and month/day names, the `@yearly`…`@hourly` descriptors, `@every
/// <duration>`, and an optional `CRON_TZ=` / `TZ=` prefix.
public struct CronSchedule: Sendable, Equatable {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var schedule: String
        public var problem: String
        public var description: String { "unparseable schedule \"\(schedule)\": \(problem)" }
    }

    private(set) var minutes = Set<Int>()
    private(set) var hours = Set<Int>()
    private(set) var daysOfMonth = Set<Int>()
    private(set) var months = Set<Int>()
    private(set) var daysOfWeek = Set<Int>()
    private var dayOfMonthStar = false
    private var dayOfWeekStar = false
    /// `@every`: a fixed interval instead of calendar fields.
    public private(set) var interval: TimeInterval?
    public private(set) var timeZone: TimeZone?

    public init(parsing text: String) throws(ParseError) {
        var spec = text.trimmingCharacters(in: .whitespaces)
        for prefix in ["CRON_TZ=", "TZ="] where spec.hasPrefix(prefix) {
            let rest = spec.dropFirst(prefix.count)
            guard let space = rest.firstIndex(of: " ") else { throw ParseError(schedule: text, problem: "missing fields after the time zone") }
            let name = String(rest[..<space])
            guard let zone = TimeZone(identifier: name) else {
                throw ParseError(schedule: text, problem: "unknown time zone \(name)")
            }
            timeZone = zone
            spec = String(rest[space...]).trimmingCharacters(in: .whitespaces)
        }
        if spec.hasPrefix("@") {
            if spec.hasPrefix("@every ") {
                guard let seconds = Self.goDuration(String(spec.dropFirst(7)).trimmingCharacters(in: .whitespaces)),
                      seconds >= 1 else {
                    throw ParseError(schedule: text, problem: "failed to parse duration \(spec)")
                }
                interval = seconds
                return
            }
            let expansions = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                              "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                              "@hourly": "0 * * * *"]
            guard let expanded = expansions[spec] else {
                throw ParseError(schedule: text, problem: "unrecognized descriptor: \(spec)")
            }
            spec = expanded
        }
        let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(schedule: text, problem: "expected exactly 5 fields, found \(fields.count): \(fields)")
        }
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        minutes = try Self.field(fields[0], 0...59, names: [:], schedule: text).values
        hours = try Self.field(fields[1], 0...23, names: [:], schedule: text).values
        let dom = try Self.field(fields[2], 1...31, names: [:], schedule: text)
        daysOfMonth = dom.values
        dayOfMonthStar = dom.star
        months = try Self.field(fields[3], 1...12,
                                names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) }),
                                schedule: text).values
        let dow = try Self.field(fields[4], 0...7,
                                 names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) }),
                                 schedule: text)
        daysOfWeek = Set(dow.values.map { $0 == 7 ? 0 : $0 })
        dayOfWeekStar = dow.star
    }

    private static func field(_ text: String, _ range: ClosedRange<Int>, names: [String: Int],
                              schedule: String) throws(ParseError) -> (values: Set<Int>, star: Bool) {
        var values = Set<Int>()
        var star = false
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var body = Substring(part)
            var step = 1
            if let slash = body.firstIndex(of: "/") {
                guard let s = Int(body[body.index(after: slash)...]), s > 0 else {
                    throw ParseError(schedule: schedule, problem: "bad step in \(part)")
                }
                step = s
                body = body[..<slash]
            }
            var low: Int, high: Int
            if body == "*" || body == "?" {
                low = range.lowerBound
                high = range.upperBound
                if step == 1 { star = true }
            } else if let dash = body.firstIndex(of: "-") {
                low = try value(body[..<dash], range, names, schedule)
                high = try value(body[body.index(after: dash)...], range, names, schedule)
            } else {
                low = try value(body, range, names, schedule)
                high = part.contains("/") ? range.upperBound : low
            }
            guard low <= high else { throw ParseError(schedule: schedule, problem: "beginning of range (\(low)) beyond end of range (\(high)): \(part)") }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return (values, star)
    }

    private static func value(_ text: Substring, _ range: ClosedRange<Int>, _ names: [String: Int],
                              _ schedule: String) throws(ParseError) -> Int {
        if let named = names[text.lowercased()] { return named }
        guard let number = Int(text) else { throw ParseError(schedule: schedule, problem: "failed to parse int from \(text)") }
        guard range.contains(number) else {
            throw ParseError(schedule: schedule, problem: "\(number) out of range [\(range.lowerBound), \(range.upperBound)]")
        }
        return number
    }

    /// Go's `time.ParseDuration` for the units `@every` uses (`90s`, `1h30m`, `500ms`).
    public static func goDuration(_ text: String) -> TimeInterval? {
        let units: [(String, Double)] = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += number * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return total
    }

    /// The first activation strictly after `date`, in the schedule's zone (else `zone`).
    public func next(after date: Date, zone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        if let interval {
            // `@every` counts from the previous activation, rounded to whole seconds.
            return Date(timeIntervalSince1970: (date.timeIntervalSince1970 + interval).rounded(.down))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone ?? zone
        let start = date.addingTimeInterval(60 - date.timeIntervalSince1970.truncatingRemainder(dividingBy: 60))
        var c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        let limit = (c.year ?? 2000) + 5
        while (c.year ?? 0) <= limit {
            guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute,
                  let current = calendar.date(from: c) else { return nil }
            if !months.contains(month) {
                c.month = month + 1; c.day = 1; c.hour = 0; c.minute = 0
                if month == 12 { c.month = 1; c.year = (c.year ?? 0) + 1 }
                continue
            }
            let weekday = calendar.component(.weekday, from: current) - 1
            let dayMatches = dayOfMonthStar || dayOfWeekStar
                ? daysOfMonth.contains(day) && daysOfWeek.contains(weekday)
                : daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
            if !dayMatches {
                guard let next = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: current)) else { return nil }
                c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: next)
                continue
            }
            if !hours.contains(hour) {
                guard let next = calendar.date(byAdding: .hour, value: 1, to: calendar.date(from: DateComponents(
                    year: c.year, month: month, day: day, hour: hour, minute: 0))!) else { return nil }
                c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: next)
                continue
            }
            if !minutes.contains(minute) {
                guard let next = calendar.date(byAdding: .minute, value: 1, to: current) else { return nil }
                c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: next)
                continue
            }
            return current
        }
        return nil
    }
}
