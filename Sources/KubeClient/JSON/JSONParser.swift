/// Errors from reading JSON text.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// Choices for reading Kubernetes objects.
public struct JSONParseOptions: Sendable, Hashable {
    /// Leaves out `managedFields` of every `metadata` object, as client-go's
    /// `TransformStripManagedFields` does for informer caches: controllers never read field
    /// ownership, and it is often the largest part of an object. The skipped text is still
    /// checked to be well-formed JSON.
    public var omitManagedFields: Bool

    public init(omitManagedFields: Bool = false) { self.omitManagedFields = omitManagedFields }

    public static let `default` = JSONParseOptions()
}

extension JSONValue {
    /// Parses one JSON document from UTF-8 bytes.
    public init(parsing bytes: some Collection<UInt8>, options: JSONParseOptions = .default) throws {
        func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
            var parser = JSONByteParser(buffer, options: options)
            return try parser.parseDocument()
        }
        // Arrays and buffers are read in place; other collections are copied once.
        self = try bytes.withContiguousStorageIfAvailable(parse) ?? Array(bytes).withUnsafeBufferPointer(parse)
    }

    /// Parses one JSON document and lists its repeated keys by path, in document order, as
    /// kube-apiserver's strict decoding reports them (`duplicate field "spec.replicas"`).
    public static func parsingNotingDuplicates(_ bytes: [UInt8]) throws -> (value: JSONValue, duplicateKeys: [String]) {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONByteParser(buffer)
            let value = try parser.parseDocument()
            guard parser.sawDuplicateKey else { return (value, []) }
            // Rare: read again, keeping track of where each key stands.
            var noting = JSONByteParser(buffer, notingDuplicates: true)
            _ = try noting.parseDocument()
            // Found as each object closes (inner ones first); reported in document order.
            return (value, noting.duplicateKeys.sorted { $0.offset < $1.offset }.map(\.path))
        }
    }

    public init(parsing text: String, options: JSONParseOptions = .default) throws {
        var text = text
        self = try text.withUTF8 { try JSONValue(parsing: $0, options: options) }
    }
}

/// A recursive-descent JSON parser over a byte buffer. Integers that fit in Int64 stay exact.
struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let omitManagedFields: Bool
    var index = 0
    var depth = 0
    /// Members of the objects being parsed, innermost last: each object's dictionary is built
    /// at its closing brace with the exact capacity, instead of growing (and rehashing) as it fills.
    var members: [(String, JSONValue)] = []
    static let maxDepth = 512
    /// Whether some object repeated a key (the last value kept); noticed at no cost.
    var sawDuplicateKey = false
    /// Only when noting duplicates: the path to the value being parsed, and the repeats found.
    let noteDuplicates: Bool
    var path: [String] = []
    /// Where each member key of the objects being parsed starts (parallel to `members`).
    var keyOffsets: [Int] = []
    var duplicateKeys: [(offset: Int, path: String)] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions = .default, notingDuplicates: Bool = false) {
        self.bytes = bytes
        self.omitManagedFields = options.omitManagedFields
        self.noteDuplicates = notingDuplicates
    }

    /// `spec`, `containers`, `[0]`, `name` → `spec.containers[0].name`.
    static func joined(_ path: [String]) -> String {
        var out = ""
        for part in path {
            if !out.isEmpty && !part.hasPrefix("[") { out += "." }
            out += part
        }
        return out
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected trailing characters") }
        return value
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        let p = literal.utf8Start
        for i in 0..<count where bytes[index + i] != p[i] { throw fail("invalid literal") }
        index += count
    }

    mutating func parseObject(isMetadata: Bool = false) throws -> JSONValue {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nesting too deep") }
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object([:]) }
        let first = members.count
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyStart = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            if isMetadata, key == "managedFields" {
                try skipValue()
            } else {
                if noteDuplicates { path.append(key) }
                if omitManagedFields, key == "metadata", index < bytes.count, bytes[index] == UInt8(ascii: "{") {
                    members.append((key, try parseObject(isMetadata: true)))
                } else {
                    members.append((key, try parseValue()))
                }
                if noteDuplicates {
                    path.removeLast()
                    keyOffsets.append(keyStart)  // with its member, after the value's own members are gone
                }
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw fail("expected ',' or '}'")
        }
        var object = [String: JSONValue](minimumCapacity: members.count - first)
        for i in first..<members.count { object[members[i].0] = members[i].1 }  // a repeated key: the last wins
        let repeatedKey = object.count != members.count - first
        if repeatedKey { sawDuplicateKey = true }
        if noteDuplicates {
            if repeatedKey {
                var seen: Set<String> = []
                for i in first..<members.count where !seen.insert(members[i].0).inserted {
                    duplicateKeys.append((keyOffsets[i], Self.joined(path + [members[i].0])))
                }
            }
            keyOffsets.removeSubrange(first...)
        }
        members.removeSubrange(first...)
        return .object(object)
    }

    /// Checks one value's grammar and moves past it without building it.
    mutating func skipValue() throws {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            depth += 1
            guard depth <= Self.maxDepth else { throw fail("nesting too deep") }
            defer { depth -= 1 }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == close { index += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    try skipString()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    skipWhitespace()
                }
                try skipValue()
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == close { index += 1; return }
                throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        case UInt8(ascii: "\""): try skipString()
        default: _ = try parseValue()  // a literal or a number: nothing to build
        }
    }

    mutating func skipString() throws {
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { index += 1; return }
            if b < 0x20 { throw fail("control character in string") }
            index += b == UInt8(ascii: "\\") ? 2 : 1
        }
        throw fail("unterminated string")
    }

    mutating func parseArray() throws -> JSONValue {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nesting too deep") }
        defer { depth -= 1 }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
        while true {
            skipWhitespace()
            if noteDuplicates {
                path.append("[\(array.count)]")
                array.append(try parseValue())
                path.removeLast()
            } else {
                array.append(try parseValue())
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func parseString() throws -> String {
        index += 1 // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("control character in string") }
            index += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw fail("control character in string") }
            if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    else { scalar = 0xFFFD; appendScalar(scalar, to: &out); continue }
                    index += 2
                    let low = try parseHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        appendScalar(0xFFFD, to: &out)
                        scalar = low
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendScalar(scalar, to: &out)
            default: throw fail("invalid escape sequence")
            }
        }
        throw fail("unterminated string")
    }

    mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: UTF8.encode(scalar)!)
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw fail("invalid number")
        }
        while index < bytes.count {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): index += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                isInteger = false
                index += 1
            default:
                return try finishNumber(start: start, isInteger: isInteger)
            }
        }
        return try finishNumber(start: start, isInteger: isInteger)
    }

    func finishNumber(start: Int, isInteger: Bool) throws -> JSONValue {
        if isInteger, index - start <= 18 {  // fits Int64 whatever the digits
            var negative = false, i = start, value: Int64 = 0
            if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            while i < index { value = value * 10 + Int64(bytes[i] - UInt8(ascii: "0")); i += 1 }
            return .int(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { throw JSONParseError(offset: start, reason: "invalid number '\(text)'") }
        return .double(d)
    }
}
