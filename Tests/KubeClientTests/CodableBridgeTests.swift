import Testing
@testable import KubeClient

@Suite struct CodableBridgeTests {
    struct Small: Codable, Equatable {
        var name: String
        var count: Int?
    }

    @Test func decodeAndEncode() throws {
        let value: JSONValue = ["name": "a", "count": 3, "extra": true]
        #expect(try value.decode(Small.self) == Small(name: "a", count: 3))
        #expect(try JSONValue(encoding: Small(name: "b", count: nil)) == ["name": "b"])
        do {
            _ = try (["count": "x"] as JSONValue).decode(Small.self)
            Issue.record("expected an error")
        } catch let error as KubeError {
            guard case .decoding(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("count") || message.contains("name"))
        }
    }

    @Test func deepMerge() {
        let base: JSONValue = ["a": ["x": 1, "y": 2], "b": [1, 2], "c": "keep", "d": "drop"]
        let merged = base.merging(["a": ["y": 3, "z": 4], "b": [9], "d": nil])
        #expect(merged == ["a": ["x": 1, "y": 3, "z": 4], "b": [9], "c": "keep"])
    }

    @Test func mergeKeepsUnknownFieldsOfListItems() {
        let base: JSONValue = ["containers": [
            ["name": "a", "image": "a:1", "securityContext": ["runAsNonRoot": true]],
            ["name": "b", "image": "b:1", "x-extra": 1],
        ]]
        let view: JSONValue = ["containers": [["name": "b", "image": "b:2"], ["name": "a", "image": "a:2"]]]
        let merged = base.merging(view)
        #expect(merged["containers"][0] == ["name": "b", "image": "b:2", "x-extra": 1])
        #expect(merged["containers"][1] == ["name": "a", "image": "a:2", "securityContext": ["runAsNonRoot": true]])
    }

    @Test func mergePatch() {
        let old: JSONValue = ["a": 1, "b": ["c": 2, "d": 3], "e": [1]]
        let new: JSONValue = ["a": 1, "b": ["c": 5], "e": [1, 2], "f": "x"]
        #expect(JSONValue.mergePatch(from: old, to: new) == ["b": ["c": 5, "d": nil], "e": [1, 2], "f": "x"])
        #expect(JSONValue.mergePatch(from: old, to: old) == .emptyObject)
        #expect(old.merging(JSONValue.mergePatch(from: old, to: new)) == new)
    }
}
