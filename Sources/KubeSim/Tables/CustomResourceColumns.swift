import Foundation
import KubeClient

extension TableBuilder {
    /// The printer of a CRD version from its `additionalPrinterColumns`
    /// (`[{name, type, format, description, priority, jsonPath}]`).
    ///
    /// The first column is always Name; with no printer columns the CRD default applies
    /// (one `Age` column of type `date` on `.metadata.creationTimestamp`).
    /// - Throws: ``TableError`` naming a column whose jsonPath cannot be parsed or whose type is
    ///   not one of `integer`, `number`, `string`, `boolean`, `date`.
    /// The types a printer column may have, in kube-apiserver's order of its error messages.
    static let printerColumnTypes = ["boolean", "date", "integer", "number", "string"]

    public static func customResource(printerColumns: JSONValue?) throws(TableError) -> TableBuilder {
        var definitions = printerColumns?.arrayValue ?? []
        if definitions.isEmpty {
            definitions = [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]]
        }
        var columns: [TableColumn] = [.objectName]
        var paths: [JSONPath] = []
        for (index, definition) in definitions.enumerated() {
            guard let name = definition["name"].stringValue, !name.isEmpty else {
                throw TableError(message: "additionalPrinterColumns[\(index)].name must be set")
            }
            guard let type = definition["type"].stringValue, printerColumnTypes.contains(type) else {
                throw TableError(message: "additionalPrinterColumns[\(index)].type must be one of boolean, date, integer, number, string")
            }
            guard let jsonPath = definition["jsonPath"].stringValue else {
                throw TableError(message: "additionalPrinterColumns[\(index)].jsonPath must be set")
            }
            do { paths.append(try JSONPath(jsonPath)) } catch {
                throw TableError(message: "unrecognized column definition \"\(jsonPath)\": \(error.message)")
            }
            let description = definition["description"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
                ?? "Custom resource definition column (in JSONPath format): \(jsonPath)"
            columns.append(TableColumn(name: name, type: type, format: definition["format"].stringValue ?? "",
                                       priority: definition["priority"].intValue ?? 0, description: description))
        }
        let extractors = Array(zip(paths, columns.dropFirst().map(\.type)))
        return TableBuilder(columns: columns, cells: { object, now in
            var cells: [JSONValue] = [object[path: ["metadata", "name"]]]
            for (path, type) in extractors {
                guard let value = path.values(in: object).first else { cells.append(.null); continue }
                cells.append(cell(value, type: type, now: now))
            }
            return cells
        })
    }

    /// A printer-column cell as apiextensions-apiserver converts it.
    static func cell(_ value: JSONValue, type: String, now: Date) -> JSONValue {
        switch (type, value) {
        case (_, .null): return .null
        case ("string", .string): return value
        case ("string", .int(let i)): return .string(String(i))
        case ("string", .double(let d)): return .string(FieldError.goFloat(d))
        case ("string", .bool(let b)): return .string(b ? "true" : "false")
        case ("string", _): return .string(value.serialized())
        case ("integer", .int): return value
        case ("integer", .double(let d)): return Int64(exactly: d.rounded(.towardZero)).map(JSONValue.int) ?? .null
        case ("number", .int(let i)): return .double(Double(i))
        case ("number", .double): return value
        case ("boolean", .bool): return value
        case ("date", .string(let text)):
            guard RFC3339Time.seconds(text) != nil else { return "<invalid>" }
            return .string(HumanDuration.since(text, now: now))
        default: return .null
        }
    }
}
