import Foundation
import KubeClient

/// Readable text of tool results: aligned columns like `kubectl get`, and a footer saying
/// how to read the next page of a bounded list.
enum TextTable {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        guard !rows.isEmpty else { return "(none)" }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// The structured form of a page: its items, and `continue` when there is more.
    static func page(_ key: String, _ items: [JSONValue], _ list: ObjectList) -> JSONValue {
        var result: JSONValue = [.init(stringLiteral: key): .array(items), "count": .int(Int64(items.count))]
        if let token = list.continueToken { result["continue"] = .string(token) }
        if let remaining = list.remainingItemCount { result["remainingItemCount"] = .int(Int64(remaining)) }
        return result
    }

    /// Cells of `items` for `keys` (strings, and numbers as text).
    static func rows(_ items: [JSONValue], _ keys: [String]) -> [[String]] {
        items.map { item in keys.map { item[$0].stringValue ?? item[$0].intValue.map(String.init) ?? "" } }
    }

    static func footer(_ list: ObjectList) -> String {
        guard let token = list.continueToken else { return "" }
        let remaining = list.remainingItemCount.map { " (\($0) more)" } ?? ""
        return "\n\nMore results\(remaining): call again with continue=\"\(token)\"."
    }
}

extension ToolOutput {
    /// A page of a list: `items` under `key` (with `continue` when there is more), and as
    /// text a table with a column per (header, item key) of `columns`.
    static func table(_ key: String, _ items: [JSONValue], _ list: ObjectList, columns: KeyValuePairs<String, String>) -> ToolOutput {
        ToolOutput(structured: TextTable.page(key, items, list),
                   text: TextTable.render(columns.map(\.key), TextTable.rows(items, columns.map(\.value))) + TextTable.footer(list))
    }
}
