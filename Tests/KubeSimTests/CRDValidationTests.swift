import KubeClient
@testable import KubeSim
import Testing

/// The checks a CRD passes when it is written, and what an update of a stored one is spared.
struct CRDValidationTests {
    static func crd(schema: JSONValue, columns: JSONValue = .null, label: String = "a") -> JSONValue {
        var version: JSONValue = ["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": schema]]
        if !columns.isNull { version["additionalPrinterColumns"] = columns }
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "things.example.com", "labels": ["l": .string(label)]],
            "spec": ["group": "example.com", "scope": "Namespaced",
                     "names": ["plural": "things", "singular": "thing", "kind": "Thing"], "versions": [version]],
        ]
    }

    static let notStructural: JSONValue = ["type": "object", "properties": ["spec": ["properties": ["a": ["type": "string"]]]]]
    static let badColumns: JSONValue = [["name": "A", "type": "int", "jsonPath": "spec.a"]]

    @Test func aNewCRDIsCheckedInFull() {
        let causes = CustomResourceDefinitions.validate(Self.crd(schema: Self.notStructural, columns: Self.badColumns))
        #expect(causes.map { $0.field ?? "" } == [
            "spec.versions[0].additionalPrinterColumns[0].type", "spec.versions[0].additionalPrinterColumns[0].jsonPath",
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].type",
        ])
    }

    @Test func anUpdateLeavingStoredSchemaAndColumnsAloneIsNotRefusedForThem() {
        let stored = Self.crd(schema: Self.notStructural, columns: Self.badColumns)
        let relabelled = Self.crd(schema: Self.notStructural, columns: Self.badColumns, label: "b")
        #expect(CustomResourceDefinitions.validate(relabelled, old: stored).isEmpty)
        // Changing the schema brings its check back; the columns stay spared.
        let changed = Self.crd(schema: ["type": "object", "properties": ["spec": ["properties": [:]]]], columns: Self.badColumns)
        #expect(CustomResourceDefinitions.validate(changed, old: stored).map { $0.field ?? "" }
            == ["spec.versions[0].schema.openAPIV3Schema.properties[spec].type"])
    }

    @Test func columnPathsNeedOnlyALeadingDot() {
        let columns: JSONValue = [["name": "All", "type": "string", "jsonPath": ".spec.items[*].name"],
                                  ["name": "Odd", "type": "string", "jsonPath": ".."]]
        #expect(CustomResourceDefinitions.printerColumnProblems(columns, path: "c").isEmpty)
    }
}
