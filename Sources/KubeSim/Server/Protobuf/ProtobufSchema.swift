import Foundation
import KubeClient

/// The shape of a Kubernetes protobuf message: field numbers, JSON names and types, as
/// `k8s.io/api` generates them. Only the messages kubectl sends with its typed clients are
/// described; anything else is refused with 415 rather than decoded wrongly.
final class ProtoMessage: Sendable {
    let name: String
    let fields: [Int: ProtoField]

    init(_ name: String, _ fields: [ProtoField]) {
        self.name = name
        self.fields = Dictionary(uniqueKeysWithValues: fields.map { ($0.number, $0) })
    }
}

indirect enum ProtoType: Sendable {
    case string, bytes, bool, int32, int64
    case message(ProtoMessage)
    /// `metav1.Time` (`seconds`, `nanos`) as RFC 3339 text.
    case time
    /// `intstr.IntOrString` as a JSON number or string.
    case intOrString
    /// `resource.Quantity` as its string.
    case quantity
    case map(key: ProtoType, value: ProtoType)
}

struct ProtoField: Sendable {
    var number: Int
    var name: String
    var type: ProtoType
    var repeated = false
    /// A pointer field in Go: a zero value that was sent is kept (others are omitted as `omitempty` does).
    var keepsZero = false

    static func string(_ n: Int, _ name: String, keepsZero: Bool = false) -> ProtoField { .init(number: n, name: name, type: .string, keepsZero: keepsZero) }
    static func strings(_ n: Int, _ name: String) -> ProtoField { .init(number: n, name: name, type: .string, repeated: true) }
    static func bool(_ n: Int, _ name: String, pointer: Bool = false) -> ProtoField { .init(number: n, name: name, type: .bool, keepsZero: pointer) }
    static func int32(_ n: Int, _ name: String, pointer: Bool = false) -> ProtoField { .init(number: n, name: name, type: .int32, keepsZero: pointer) }
    static func int64(_ n: Int, _ name: String, pointer: Bool = false) -> ProtoField { .init(number: n, name: name, type: .int64, keepsZero: pointer) }
    static func message(_ n: Int, _ name: String, _ m: ProtoMessage) -> ProtoField { .init(number: n, name: name, type: .message(m)) }
    static func messages(_ n: Int, _ name: String, _ m: ProtoMessage) -> ProtoField { .init(number: n, name: name, type: .message(m), repeated: true) }
    static func map(_ n: Int, _ name: String, value: ProtoType = .string) -> ProtoField { .init(number: n, name: name, type: .map(key: .string, value: value)) }
    static func time(_ n: Int, _ name: String) -> ProtoField { .init(number: n, name: name, type: .time) }
}

/// Decodes one message into JSON with Go's `omitempty` behaviour.
enum ProtobufDecoder {
    static func decode(_ bytes: [UInt8], range: Range<Int>, as message: ProtoMessage) throws(ProtobufError) -> JSONValue {
        var reader = ProtobufReader(bytes, range: range)
        var object: [String: JSONValue] = [:]
        while !reader.atEnd {
            let (number, wireType) = try reader.tag()
            guard let field = message.fields[number] else {
                // Go sends every non-pointer field, zero or not; a zero value says nothing.
                let start = reader.index
                try reader.skip(wireType: wireType)
                if isZero(bytes, start..<reader.index, wireType: wireType) { continue }
                throw .unsupported("field \(number) of \(message.name) is not supported in protobuf by this server; send the object as JSON (for example with kubectl apply)")
            }
            if case .map(let keyType, let valueType) = field.type {
                guard wireType == 2 else { throw .malformed("map entry of \(field.name) is not length-delimited") }
                let entry = try reader.lengthDelimited()
                var entryReader = ProtobufReader(bytes, range: entry)
                var key: JSONValue = .string("")
                var value: JSONValue = .null
                while !entryReader.atEnd {
                    let (n, w) = try entryReader.tag()
                    switch n {
                    case 1: key = try scalar(&entryReader, keyType, wireType: w)
                    case 2: value = try scalar(&entryReader, valueType, wireType: w)
                    default: try entryReader.skip(wireType: w)
                    }
                }
                var map = object[field.name]?.objectValue ?? [:]
                map[key.stringValue ?? key.description] = value.isNull ? defaultValue(valueType) : value
                object[field.name] = .object(map)
                continue
            }
            if field.repeated, wireType == 2, isPackable(field.type) {
                // Packed repeated scalars.
                let packed = try reader.lengthDelimited()
                var inner = ProtobufReader(bytes, range: packed)
                var values = object[field.name]?.arrayValue ?? []
                while !inner.atEnd { values.append(try scalar(&inner, field.type, wireType: 0)) }
                object[field.name] = .array(values)
                continue
            }
            let value = try scalar(&reader, field.type, wireType: wireType)
            if field.name.isEmpty {
                // An embedded struct that JSON inlines (`json:",inline"`, e.g. IngressRule's IngressRuleValue).
                for (key, member) in value.objectValue ?? [:] { object[key] = member }
                continue
            }
            if field.repeated {
                object[field.name] = .array((object[field.name]?.arrayValue ?? []) + [value])
            } else if field.keepsZero || !isEmpty(value) {
                object[field.name] = value
            } else {
                object.removeValue(forKey: field.name)
            }
        }
        return .object(object)
    }

    /// Whether a skipped field holds only zero values: a 0 varint, an empty string or
    /// message, or a message whose own fields are all zero.
    static func isZero(_ bytes: [UInt8], _ range: Range<Int>, wireType: Int) -> Bool {
        var reader = ProtobufReader(bytes, range: range)
        switch wireType {
        case 0: return (try? reader.varint()) == 0
        case 1, 5: return bytes[range].allSatisfy { $0 == 0 }
        case 2:
            guard let content = try? reader.lengthDelimited() else { return false }
            var inner = ProtobufReader(bytes, range: content)
            while !inner.atEnd {
                guard let (_, w) = try? inner.tag() else { return false }
                let start = inner.index
                guard (try? inner.skip(wireType: w)) != nil, isZero(bytes, start..<inner.index, wireType: w) else { return false }
            }
            return true
        default: return false
        }
    }

    private static func isPackable(_ type: ProtoType) -> Bool {
        switch type {
        case .bool, .int32, .int64: return true
        default: return false
        }
    }

    private static func defaultValue(_ type: ProtoType) -> JSONValue {
        switch type {
        case .string, .bytes, .quantity: return ""
        case .bool: return false
        case .int32, .int64: return 0
        default: return .emptyObject
        }
    }

    static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        }
    }

    private static func scalar(_ reader: inout ProtobufReader, _ type: ProtoType, wireType: Int) throws(ProtobufError) -> JSONValue {
        switch type {
        case .string:
            let range = try reader.lengthDelimited()
            return .string(String(decoding: reader.bytes[range], as: UTF8.self))
        case .bytes:
            let range = try reader.lengthDelimited()
            return .string(Data(reader.bytes[range]).base64EncodedString())
        case .bool:
            return .bool(try reader.varint() != 0)
        case .int32:
            return .int(Int64(Int32(truncatingIfNeeded: try reader.varint())))
        case .int64:
            return .int(Int64(bitPattern: try reader.varint()))
        case .message(let message):
            return try decode(reader.bytes, range: try reader.lengthDelimited(), as: message)
        case .time:
            let decoded = try decode(reader.bytes, range: try reader.lengthDelimited(), as: ProtoSchemas.time)
            guard let seconds = decoded["seconds"].intValue, seconds != 0 else { return .null }
            return .string(KubeTimestamp.format(Date(timeIntervalSince1970: TimeInterval(seconds))))
        case .intOrString:
            let decoded = try decode(reader.bytes, range: try reader.lengthDelimited(), as: ProtoSchemas.intOrString)
            if decoded["type"].intValue == 1 { return .string(decoded["strVal"].stringValue ?? "") }
            return .int(Int64(decoded["intVal"].intValue ?? 0))
        case .quantity:
            let decoded = try decode(reader.bytes, range: try reader.lengthDelimited(), as: ProtoSchemas.quantity)
            return .string(decoded["string"].stringValue ?? "0")
        case .map:
            throw .malformed("nested map")
        }
    }
}
