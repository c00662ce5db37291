import Foundation
import KubeClient

/// Builds `meta.k8s.io/v1` `Table` responses for `kubectl get`.
///
/// Pick the builder for a resource once — ``builtin(group:kind:)`` for built-in kinds,
/// ``customResource(printerColumns:)`` for a CRD version — then call ``table(for:resourceVersion:continueToken:remainingItemCount:includeObject:includeColumnDefinitions:now:)``
/// for a list, a single object, or each watch event (one object per table).
public struct TableBuilder: Sendable {
    public let columns: [TableColumn]
    let cells: @Sendable (JSONValue, Date) -> [JSONValue]
    let conditions: @Sendable (JSONValue) -> JSONValue?

    public init(columns: [TableColumn], cells: @escaping @Sendable (JSONValue, Date) -> [JSONValue]) {
        self.init(columns: columns, cells: cells, conditions: { _ in nil })
    }

    init(columns: [TableColumn], cells: @escaping @Sendable (JSONValue, Date) -> [JSONValue],
         conditions: @escaping @Sendable (JSONValue) -> JSONValue?) {
        self.columns = columns
        self.cells = cells
        self.conditions = conditions
    }

    /// kube-apiserver's default convertor (NAME, CREATED AT), used for kinds without a printer,
    /// such as CustomResourceDefinitions.
    public static let standard = TableBuilder(
        columns: [.objectName, TableColumn(name: "Created At", type: "date", description: TableColumn.ageDescription)],
        cells: { object, _ in
            let created = object[path: ["metadata", "creationTimestamp"]].stringValue
                .flatMap { RFC3339Time.date($0) }
                .map { RFC3339Text.format($0) } ?? "0001-01-01T00:00:00Z"
            return [object[path: ["metadata", "name"]], .string(created)]
        })

    /// The printer kube-apiserver uses for a built-in kind (the columns `kubectl get` shows),
    /// or ``standard`` for kinds without one.
    public static func builtin(group: String, kind: String) -> TableBuilder {
        BuiltinPrinters.all["\(group)/\(kind)"] ?? .standard
    }

    /// The table as kube-apiserver serves it.
    ///
    /// - Parameters:
    ///   - objects: the objects of the rows, in order.
    ///   - resourceVersion: the list's resourceVersion (or the object's for a single get).
    ///   - continueToken: the `continue` token of a paged list.
    ///   - includeObject: what each row's `object` carries (`?includeObject=`).
    ///   - includeColumnDefinitions: false for `TableOptions.noHeaders` (watch events after the first).
    ///   - now: the time ages are measured against.
    public func table(for objects: [JSONValue], resourceVersion: String?, continueToken: String? = nil,
                      remainingItemCount: Int64? = nil, includeObject: TableIncludeObject = .metadata,
                      includeColumnDefinitions: Bool = true, now: Date = Date()) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        if let resourceVersion, !resourceVersion.isEmpty { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        if let remainingItemCount { metadata["remainingItemCount"] = .int(remainingItemCount) }
        return [
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": .object(metadata),
            "columnDefinitions": .array(includeColumnDefinitions ? columns.map(\.json) : []),
            "rows": .array(objects.map { row(for: $0, includeObject: includeObject, now: now) }),
        ]
    }

    /// One table row: `{cells, object}` (plus `conditions` for finished pods).
    public func row(for object: JSONValue, includeObject: TableIncludeObject = .metadata, now: Date = Date()) -> JSONValue {
        var row: JSONValue = ["cells": .array(cells(object, now))]
        if let conditions = conditions(object) { row["conditions"] = conditions }
        switch includeObject {
        case .object:
            row["object"] = object
        case .metadata:
            row["object"] = [
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"].isNull ? .object([:]) : object["metadata"],
            ]
        case .none:
            row.setValue(.null, forKey: "object")
        }
        return row
    }
}

/// RFC 3339 text in UTC with whole seconds, as `metav1.Time` marshals.
enum RFC3339Text {
    static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        days += 719468
        let era = (days >= 0 ? days : days - 146096) / 146097
        let doe = days - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = String(year).count < 4 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}
