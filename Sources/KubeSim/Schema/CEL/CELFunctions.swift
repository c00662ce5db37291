import Foundation

/// The functions of the supported CEL subset: conversions, `size`, Kubernetes string and
/// list extensions.
enum CELFunctions {
    static func global(_ name: String, _ args: [CELValue]) throws(CELError) -> CELValue {
        let value = args[0]
        switch name {
        case "size": return try size(value)
        case "dyn": return value
        case "matches": return try member("matches", value, [args[1]])
        case "int":
            switch value {
            case .int: return value
            case .uint(let u):
                guard let i = Int64(exactly: u) else { throw CELError("integer overflow") }
                return .int(i)
            case .double(let d):
                guard d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) else { throw CELError("integer overflow") }
                return .int(i)
            case .string(let s):
                guard let i = Int64(s) else { throw CELError("cannot convert \"\(s)\" to int") }
                return .int(i)
            default: break
            }
        case "uint":
            switch value {
            case .uint: return value
            case .int(let i):
                guard let u = UInt64(exactly: i) else { throw CELError("unsigned integer overflow") }
                return .uint(u)
            case .double(let d):
                guard d.isFinite, let u = UInt64(exactly: d.rounded(.towardZero)) else { throw CELError("unsigned integer overflow") }
                return .uint(u)
            case .string(let s):
                guard let u = UInt64(s) else { throw CELError("cannot convert \"\(s)\" to uint") }
                return .uint(u)
            default: break
            }
        case "double":
            switch value {
            case .double: return value
            case .int(let i): return .double(Double(i))
            case .uint(let u): return .double(Double(u))
            case .string(let s):
                guard let d = Double(s) else { throw CELError("cannot convert \"\(s)\" to double") }
                return .double(d)
            default: break
            }
        case "string":
            switch value {
            case .string, .int, .uint, .double, .bool: return .string(value.displayText)
            default: break
            }
        case "bool":
            switch value {
            case .bool: return value
            case .string(let s):
                switch s {
                case "true", "True", "TRUE", "t", "1": return .bool(true)
                case "false", "False", "FALSE", "f", "0": return .bool(false)
                default: throw CELError("cannot convert \"\(s)\" to bool")
                }
            default: break
            }
        default:
            throw CELError("no such function: \(name)")
        }
        throw CELError("found no matching overload for '\(name)' applied to '(\(value.typeName))'")
    }

    static func size(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .list(let items): return .int(Int64(items.count))
        case .map(let members): return .int(Int64(members.count))
        default: throw CELError("found no matching overload for 'size' applied to '(\(value.typeName))'")
        }
    }

    static func member(_ name: String, _ target: CELValue, _ args: [CELValue]) throws(CELError) -> CELValue {
        if name == "size" { return try size(target) }
        switch target {
        case .string(let s): return try stringFunction(name, s, args)
        case .list(let items): return try listFunction(name, items, args)
        default: throw CELError("found no matching overload for '\(name)' applied to '\(target.typeName)'")
        }
    }

    static func string(_ args: [CELValue], _ i: Int, _ function: String) throws(CELError) -> String {
        guard i < args.count, case .string(let s) = args[i] else {
            throw CELError("found no matching overload for '\(function)': argument \(i + 1) must be a string")
        }
        return s
    }

    static func int(_ args: [CELValue], _ i: Int, _ function: String) throws(CELError) -> Int {
        guard i < args.count, case .int(let v) = args[i], let n = Int(exactly: v) else {
            throw CELError("found no matching overload for '\(function)': argument \(i + 1) must be an int")
        }
        return n
    }

    static func stringFunction(_ name: String, _ s: String, _ args: [CELValue]) throws(CELError) -> CELValue {
        let scalars = Array(s.unicodeScalars)
        switch name {
        case "startsWith": return .bool(s.unicodeScalars.starts(with: try string(args, 0, name).unicodeScalars))
        case "endsWith": return .bool(s.unicodeScalars.reversed().starts(with: try string(args, 0, name).unicodeScalars.reversed()))
        case "contains":
            let needle = try string(args, 0, name)
            return .bool(needle.isEmpty || s.range(of: needle, options: .literal) != nil)
        case "matches":
            let pattern = try string(args, 0, name)
            guard let regex = RegexCache.regex(pattern) else {
                throw CELError("invalid regular expression '\(pattern)'")
            }
            return .bool(regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil)
        case "lowerAscii": return .string(String(String.UnicodeScalarView(scalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 })))
        case "upperAscii": return .string(String(String.UnicodeScalarView(scalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 })))
        case "trim": return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
        case "split":
            let separator = try string(args, 0, name)
            var parts = separator.isEmpty ? scalars.map { String($0) } : s.components(separatedBy: separator)
            if args.count == 2 {
                let limit = try int(args, 1, name)
                if limit == 0 { return .list([]) }
                if limit > 0 && parts.count > limit {
                    let head = parts.prefix(limit - 1)
                    let tail = parts.dropFirst(limit - 1).joined(separator: separator)
                    parts = Array(head) + [tail]
                }
            }
            return .list(parts.map(CELValue.string))
        case "indexOf", "lastIndexOf":
            let needle = Array(try string(args, 0, name).unicodeScalars)
            if needle.isEmpty { return .int(name == "indexOf" ? 0 : Int64(scalars.count)) }
            guard needle.count <= scalars.count else { return .int(-1) }
            let starts = Array(0...(scalars.count - needle.count))
            let candidates = name == "indexOf" ? starts : starts.reversed()
            for start in candidates where Array(scalars[start..<(start + needle.count)]) == needle {
                return .int(Int64(start))
            }
            return .int(-1)
        case "substring":
            let start = try int(args, 0, name)
            let end = args.count == 2 ? try int(args, 1, name) : scalars.count
            guard start >= 0, end <= scalars.count, start <= end else {
                throw CELError("index out of range: substring(\(start), \(end)) of a string of length \(scalars.count)")
            }
            return .string(String(String.UnicodeScalarView(scalars[start..<end])))
        case "replace":
            let old = try string(args, 0, name), new = try string(args, 1, name)
            let limit = args.count == 3 ? try int(args, 2, name) : -1
            if limit < 0 { return .string(s.replacingOccurrences(of: old, with: new)) }
            var result = s
            var searchStart = result.startIndex
            for _ in 0..<limit {
                guard let range = result.range(of: old, range: searchStart..<result.endIndex) else { break }
                result.replaceSubrange(range, with: new)
                searchStart = result.index(range.lowerBound, offsetBy: new.count)
            }
            return .string(result)
        default:
            throw CELError("found no matching overload for '\(name)' applied to 'string'")
        }
    }

    static func listFunction(_ name: String, _ items: [CELValue], _ args: [CELValue]) throws(CELError) -> CELValue {
        switch name {
        case "join":
            let separator = args.isEmpty ? "" : try string(args, 0, name)
            var parts: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw CELError("join() requires a list of strings") }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        case "isSorted":
            for (a, b) in zip(items, items.dropFirst()) where try CELOperators.compare(a, b, "<=") > 0 { return .bool(false) }
            return .bool(true)
        case "sum":
            guard var total = items.first else { return .int(0) }
            for item in items.dropFirst() { total = try CELOperators.add(total, item) }
            return total
        case "min", "max":
            guard var best = items.first else { throw CELError("\(name)() called on an empty list") }
            for item in items.dropFirst() {
                let order = try CELOperators.compare(item, best, name)
                if (name == "min" && order < 0) || (name == "max" && order > 0) { best = item }
            }
            return best
        case "indexOf":
            return .int(Int64(items.firstIndex { $0.celEquals(args[0]) } ?? -1))
        case "lastIndexOf":
            return .int(Int64(items.lastIndex { $0.celEquals(args[0]) } ?? -1))
        default:
            throw CELError("found no matching overload for '\(name)' applied to 'list'")
        }
    }
}
