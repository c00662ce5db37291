import Foundation

/// The bridge between raw objects (``JSONValue``) and typed views (`Codable` structs).
///
/// Controllers read a typed view with ``JSONValue/decode(_:)``, change it, and write it back
/// over the object they read with ``JSONValue/merging(_:)``, so fields the view does not
/// declare survive the round trip.
extension JSONValue {
    /// Decodes a typed view of this value.
    ///
    /// - Throws: ``KubeError/decoding(_:)`` naming the field path that did not fit.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONValueDecoder.decode(T.self, self, nil)
        } catch let error as DecodingError {
            throw KubeError.decoding("cannot read \(T.self): \(error.kubeDescription)")
        }
    }

    /// Encodes a typed value into a `JSONValue`.
    ///
    /// - Throws: ``KubeError/decoding(_:)`` when the value cannot be expressed as JSON
    ///   (for example a non-finite double).
    public init(encoding value: some Encodable) throws {
        do {
            self = try JSONValueEncoder.encode(value)
        } catch let error as EncodingError {
            throw KubeError.decoding("cannot encode \(type(of: value)): \(error.kubeDescription)")
        }
    }

    /// A deep merge of `other` over this value.
    ///
    /// - Objects merge key by key, recursively; keys only in `self` are kept.
    /// - A `null` member of `other` removes that key (as in a JSON merge patch).
    /// - Arrays merge element by element when their elements can be paired: by the `name`
    ///   member when every object on both sides has one, else by `type` (conditions),
    ///   else by position when both arrays have the same length. Otherwise `other`'s
    ///   array replaces `self`'s. Pairing keeps unknown fields of list items (a
    ///   container's `securityContext`, say) that a typed view does not declare.
    /// - Any other value in `other` replaces the one in `self`.
    public func merging(_ other: JSONValue) -> JSONValue {
        switch (self, other) {
        case (.object(var base), .object(let overlay)):
            for (key, value) in overlay {
                if value.isNull {
                    base.removeValue(forKey: key)
                } else if let existing = base[key] {
                    base[key] = existing.merging(value)
                } else {
                    base[key] = value
                }
            }
            return .object(base)
        case (.array(let base), .array(let overlay)):
            return .array(JSONValue.mergeArrays(base, overlay))
        default:
            return other
        }
    }

    /// The JSON merge patch (RFC 7386) that turns `old` into `new`: changed members with
    /// their new value, removed members as `null`, arrays whole. `.emptyObject` when equal.
    public static func mergePatch(from old: JSONValue, to new: JSONValue) -> JSONValue {
        guard case .object(let before) = old, case .object(let after) = new else {
            return old == new ? .emptyObject : new
        }
        var patch: [String: JSONValue] = [:]
        for (key, value) in after {
            guard let previous = before[key] else {
                patch[key] = value
                continue
            }
            if previous == value { continue }
            if case .object = previous, case .object = value {
                patch[key] = mergePatch(from: previous, to: value)
            } else {
                patch[key] = value
            }
        }
        for key in before.keys where after[key] == nil {
            patch[key] = .null
        }
        return .object(patch)
    }

    static func mergeArrays(_ base: [JSONValue], _ overlay: [JSONValue]) -> [JSONValue] {
        for key in ["name", "type"] {
            if let baseIndex = keyedIndex(base, key: key), keyedIndex(overlay, key: key) != nil {
                return overlay.map { item in
                    guard let k = item[key].stringValue, let i = baseIndex[k] else { return item }
                    return base[i].merging(item)
                }
            }
        }
        if base.count == overlay.count {
            return zip(base, overlay).map { $0.merging($1) }
        }
        return overlay
    }

    /// Positions of the items by their `key` member, or nil when some item is not an object
    /// with a unique string `key`.
    private static func keyedIndex(_ items: [JSONValue], key: String) -> [String: Int]? {
        guard !items.isEmpty else { return nil }
        var index: [String: Int] = [:]
        index.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let k = item[key].stringValue, index.updateValue(i, forKey: k) == nil else { return nil }
        }
        return index
    }
}

extension DecodingError {
    /// "at spec.replicas: expected Int64, found a string" style text.
    var kubeDescription: String {
        func path(_ context: Context) -> String {
            let parts = context.codingPath.map { key -> String in
                if let i = key.intValue { return "[\(i)]" }
                return "." + key.stringValue
            }
            let joined = parts.joined()
            let trimmed = joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
            return trimmed.isEmpty ? "the top level" : trimmed
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "at \(path(context)): expected \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "at \(path(context)): missing \(type) value: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let base = path(context)
            let field = base == "the top level" ? key.stringValue : base + "." + key.stringValue
            return "required field \(field) is missing"
        case .dataCorrupted(let context):
            return "at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return String(describing: self)
        }
    }
}

extension EncodingError {
    var kubeDescription: String {
        switch self {
        case .invalidValue(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "at \(path.isEmpty ? "the top level" : path): \(context.debugDescription)"
        @unknown default:
            return String(describing: self)
        }
    }
}
