extension JSONValue {
    /// Decodes a typed view of a user's object, turning a value of the wrong shape into a
    /// ``SpecError`` that names the field (`spec.replicas: expected Int, found a string`), so a
    /// controller can report it on the object instead of failing.
    public func decodeSpec<T: Decodable>(_ type: T.Type = T.self) throws(SpecError) -> T {
        do {
            return try JSONValueDecoder.decode(T.self, self, nil)
        } catch let error as DecodingError {
            throw error.specError
        } catch {
            throw SpecError(field: "spec", message: "cannot be read: \(error)")
        }
    }
}

extension DecodingError {
    /// The field this error is about and what is wrong with it.
    var specError: SpecError {
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }.joined()
            return String(joined.trimmingPrefix("."))
        }
        switch self {
        case .typeMismatch(let type, let context):
            return SpecError(field: path(context.codingPath), message: "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return SpecError(field: path(context.codingPath), message: "must not be null (expected \(type))")
        case .keyNotFound(let key, let context):
            return SpecError(field: path(context.codingPath + [key]), message: "Required value")
        case .dataCorrupted(let context):
            return SpecError(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return SpecError(field: "spec", message: String(describing: self))
        }
    }
}
