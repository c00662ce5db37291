import Foundation
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

    @Test func decodingErrorsNameTheField() throws {
        func message(_ value: JSONValue) -> String {
            do {
                _ = try value.decode(Deployment.self)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(["spec": ["replicas": "three"]]).contains("spec.replicas"))
        #expect(message(["spec": ["template": ["spec": ["containers": [["name": 1]]]]]]).contains("spec.template.spec.containers[0].name"))
        #expect(message(["metadata": ["labels": ["a": 1]]]).contains("metadata.labels.a"))
        #expect(message(["spec": ["replicas": 2.5]]).contains("does not fit"))
        // Integral doubles read as integers, integers as doubles; null reads as absent.
        let d = try (["spec": ["replicas": 3.0, "minReadySeconds": nil]] as JSONValue).decode(Deployment.self)
        #expect(d.spec.replicas == 3)
        #expect(d.spec.minReadySeconds == nil)
        #expect(try (["x": 2] as JSONValue).decode([String: Double].self) == ["x": 2.0])
        #expect(try ([1, nil, 3] as JSONValue).decode([Int?].self) == [1, nil, 3])
        #expect(try (["a": ["b": [true]]] as JSONValue).decode(JSONValue.self) == ["a": ["b": [true]]])
    }

    @Test func encoderMatchesJSONEncoder() throws {
        let raw = try JSONValue(parsing: ModelViewTests().deploymentJSON)
        let view = try Deployment(json: raw)
        let direct = try JSONValue(encoding: view)
        let viaText = try JSONValue(parsing: JSONEncoder().encode(view))
        #expect(direct == viaText)
        struct Mixed: Encodable {
            var a: [Int?] = [1, nil]
            var b: UInt8 = 7
            var c: [[String]] = [["x"], []]
            var d: String? = nil
            var e: Float = 1.5
        }
        #expect(try JSONValue(encoding: Mixed()) == ["a": [1, nil], "b": 7, "c": [["x"], []], "e": 1.5])
        #expect(throws: KubeError.self) { try JSONValue(encoding: ["bad": Double.nan]) }
        #expect(try JSONValue(encoding: "plain") == "plain")
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
