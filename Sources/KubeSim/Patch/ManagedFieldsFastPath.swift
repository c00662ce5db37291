import KubeClient

extension FieldSet {
    /// How much of this set a fieldsV1 document already holds.
    enum Ownership {
        /// Every path of this set is in the document.
        case all
        /// None is.
        case none
        /// Some are, or the document cannot be compared key by key: decide on the parsed sets.
        case unknown
    }

    /// Compares this set with a manager's fieldsV1 document without parsing the document
    /// into a set. List keys are matched by their spelling; when one is not found and the
    /// document spells others differently, the answer is `.unknown`, never a guess.
    func ownership(inFieldsV1 document: JSONValue) -> Ownership {
        guard case .object(let entries) = document else { return .unknown }
        var sawOwned = false, sawMissing = false
        func note(_ owned: Bool) { if owned { sawOwned = true } else { sawMissing = true } }
        for member in members where children[member] == nil {
            guard let owned = Self.isMember(member, in: entries) else { return .unknown }
            note(owned)
        }
        for (element, child) in children {
            if members.contains(element) {
                guard let owned = Self.isMember(element, in: entries) else { return .unknown }
                note(owned)
            }
            guard let nested = Self.lookup(element, in: entries) else { return .unknown }
            switch nested {
            case .null:
                note(false)
            default:
                switch child.ownership(inFieldsV1: nested) {
                case .all: note(true)
                case .none: note(false)
                case .unknown: return .unknown
                }
            }
            if sawOwned && sawMissing { return .unknown }
        }
        if sawOwned && sawMissing { return .unknown }
        return sawMissing ? .none : .all
    }

    /// The document's entry for `element` (`.null` when it has none); nil when that cannot
    /// be told from the spelling alone.
    private static func lookup(_ element: PathElement, in entries: [String: JSONValue]) -> JSONValue? {
        if let value = entries[element.fieldsV1Key] { return value }
        switch element {
        case .field, .index:
            return .null
        case .key, .value:
            // Another client may spell list keys with other spacing or key order.
            let prefix = element.fieldsV1Key.prefix(2)
            return entries.keys.contains(where: { $0.hasPrefix(prefix) }) ? nil : .null
        }
    }

    /// Whether `element` itself is owned (`{}` or a node marked with `"."`); nil when unknown.
    private static func isMember(_ element: PathElement, in entries: [String: JSONValue]) -> Bool? {
        guard let value = lookup(element, in: entries) else { return nil }
        guard case .object(let nested) = value else { return false }
        return nested.isEmpty || nested["."] != nil
    }
}

extension ManagedFieldsTable {
    /// An update's new `managedFields`, computed entry by entry on the stored JSON: only the
    /// entries that own a changed or removed path are parsed and written again, and the
    /// writer's entry only when its paths change (a controller refreshing fields it already
    /// owns moves just its `time`). The others are kept as they are, so the cost follows the
    /// size of the change, not the number of managers or the size of the object.
    ///
    /// - Returns: the new `managedFields` (`.null` when none remain), or nil when the full
    ///   computation is needed (repeated identities, an entry that cannot be read).
    static func updatedOwnership(stored: JSONValue, writer template: ManagedFieldsEntry,
                                 changed: FieldSet, removed: FieldSet, now: String) -> JSONValue? {
        guard case .array(var items) = stored, !items.isEmpty else { return nil }
        let identity = template.identity
        var writer: Int?
        var seen = Set<ManagedFieldsEntry.Identity>()
        let touched = changed.union(removed)
        var dropped: [Int] = []
        for (index, item) in items.enumerated() {
            // Repeated identities are merged by the full computation.
            guard let entry = ManagedFieldsEntry.Identity(json: item), seen.insert(entry).inserted else { return nil }
            if entry == identity { writer = index; continue }
            if touched.isEmpty { continue }
            switch touched.ownership(inFieldsV1: item["fieldsV1"]) {
            case .none: continue
            case .all, .unknown:
                // Another manager owned what this write changes or removes: it loses those paths.
                guard var other = ManagedFieldsEntry(json: item) else { return nil }
                other.fields = other.fields.subtracting(touched)
                if other.fields.isEmpty { dropped.append(index) } else { items[index] = other.json }
            }
        }
        if let writer {
            let document = items[writer]["fieldsV1"]
            let keepsPaths = (changed.isEmpty || changed.ownership(inFieldsV1: document) == .all)
                && (removed.isEmpty || removed.ownership(inFieldsV1: document) == .none)
            if keepsPaths {
                if !changed.isEmpty { items[writer][path: ["time"]] = .string(now) }
            } else {
                guard var entry = ManagedFieldsEntry(json: items[writer]) else { return nil }
                entry.fields = entry.fields.subtracting(touched).union(changed)
                if !changed.isEmpty { entry.time = now }
                if entry.fields.isEmpty { dropped.append(writer) } else { items[writer] = entry.json }
            }
        } else if !changed.isEmpty {
            var entry = template
            entry.fields = changed
            entry.time = now
            items.append(entry.json)
        }
        for index in dropped.sorted(by: >) { items.remove(at: index) }
        return items.isEmpty ? .null : .array(ManagedFieldsTable.sortedJSON(items))
    }

    /// Entries in kube-apiserver's order, as ``sortedEntries`` orders parsed ones.
    static func sortedJSON(_ items: [JSONValue]) -> [JSONValue] {
        items.sorted { p, q in
            let po = p["operation"].stringValue ?? "", qo = q["operation"].stringValue ?? ""
            if po != qo { return po < qo }
            let pt = RFC3339Time.seconds(p["time"].stringValue) ?? 0, qt = RFC3339Time.seconds(q["time"].stringValue) ?? 0
            if pt != qt { return pt < qt }
            let pm = p["manager"].stringValue ?? "", qm = q["manager"].stringValue ?? ""
            if pm != qm { return pm < qm }
            let pa = p["apiVersion"].stringValue ?? "", qa = q["apiVersion"].stringValue ?? ""
            if pa != qa { return pa < qa }
            return (p["subresource"].stringValue ?? "") < (q["subresource"].stringValue ?? "")
        }
    }
}

extension ManagedFieldsEntry.Identity {
    /// The identity of a stored entry, read as ``ManagedFieldsEntry/init(json:)`` reads it.
    init?(json: JSONValue) {
        guard let operation = json["operation"].stringValue.flatMap(ManagedFieldsEntry.Operation.init(rawValue:)),
              let apiVersion = json["apiVersion"].stringValue, !apiVersion.isEmpty,
              json["fieldsType"].stringValue == "FieldsV1" else { return nil }
        self.init(manager: json["manager"].stringValue ?? "", operation: operation,
                  apiVersion: operation == .apply ? "" : apiVersion, subresource: json["subresource"].stringValue ?? "")
    }
}
