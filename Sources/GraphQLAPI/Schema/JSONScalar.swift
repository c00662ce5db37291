import KubeClient

/// The `JSON` scalar (the seed's `executeWorkflow(parameters: JSON)`): any JSON value.
public struct JSONScalar: Codable, Sendable, Hashable {
    public var value: JSONValue

    public init(_ value: JSONValue) { self.value = value }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(JSONScalar.self, forKey: key).value }
            value = .object(members)
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONScalar.self).value) }
            value = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { value = .null }
        else if let bool = try? single.decode(Bool.self) { value = .bool(bool) }
        else if let int = try? single.decode(Int64.self) { value = .int(int) }
        else if let double = try? single.decode(Double.self) { value = .double(double) }
        else { value = .string(try single.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        switch value {
        case .object(let members):
            var object = encoder.container(keyedBy: Key.self)
            for (key, member) in members { try object.encode(JSONScalar(member), forKey: Key(stringValue: key)) }
        case .array(let items):
            var list = encoder.unkeyedContainer()
            for item in items { try list.encode(JSONScalar(item)) }
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let bool):
            var single = encoder.singleValueContainer()
            try single.encode(bool)
        case .int(let int):
            var single = encoder.singleValueContainer()
            try single.encode(int)
        case .double(let double):
            var single = encoder.singleValueContainer()
            try single.encode(double)
        case .string(let string):
            var single = encoder.singleValueContainer()
            try single.encode(string)
        }
    }
}

/// GraphQL's `ID` scalar: the ids of this API are `namespace/name` strings.
public struct NodeID: Codable, Sendable, Hashable {
    public var value: String

    public init(_ value: String) { self.value = value }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(value)
    }
}

extension DeploymentNode { var nodeID: NodeID { NodeID(id) } }
extension AlertNode { var nodeID: NodeID { NodeID(id) } }
extension VulnerabilityNode { var nodeID: NodeID { NodeID(id) } }
extension AuditNode { var nodeID: NodeID { NodeID(id) } }
extension WorkflowRunNode { var nodeID: NodeID { NodeID(id) } }
extension WorkflowResultNode { var nodeID: NodeID { NodeID(id) } }
