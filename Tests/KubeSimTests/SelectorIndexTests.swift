import Testing
@testable import KubeSim

/// The Endpoints controller's index of Service selectors: which services select a pod.
@Suite struct SelectorIndexTests {
    func key(_ name: String, _ namespace: String = "default") -> StoreKey { StoreKey(namespace: namespace, name: name) }

    @Test func findsExactlyTheServicesWhoseWholeSelectorMatches() {
        var index = SelectorIndex()
        // Many services share one pair (a color) and differ in another (the app).
        for i in 0..<50 {
            index.set(key("web-\(i)-active"), selector: ["app": "web-\(i)", "color": "blue"])
            index.set(key("web-\(i)-preview"), selector: ["app": "web-\(i)", "color": "green"])
        }
        index.set(key("all-blue"), selector: ["color": "blue"])
        index.set(key("elsewhere", "other"), selector: ["app": "web-7", "color": "blue"])

        let pod = ["app": "web-7", "color": "blue", "pod-template-hash": "abc"]
        #expect(index.selecting(namespace: "default", labels: pod) == [key("web-7-active"), key("all-blue")])
        #expect(index.selecting(namespace: "other", labels: pod) == [key("elsewhere", "other")])
        #expect(index.selecting(namespace: "default", labels: ["app": "web-7"]) == [])
        #expect(index.selecting(namespace: "default", labels: ["color": "green", "app": "web-3"]) == [key("web-3-preview")])
    }

    @Test func followsSelectorChangesAndRemovals() {
        var index = SelectorIndex()
        index.set(key("a"), selector: ["app": "web", "color": "blue"])
        index.set(key("b"), selector: ["app": "web", "color": "blue"])
        // A promotion switches the active service's selector to the other color.
        index.set(key("a"), selector: ["app": "web", "color": "green"])
        #expect(index.selecting(namespace: "default", labels: ["app": "web", "color": "blue"]) == [key("b")])
        #expect(index.selecting(namespace: "default", labels: ["app": "web", "color": "green"]) == [key("a")])
        index.remove(key("b"))
        #expect(index.selecting(namespace: "default", labels: ["app": "web", "color": "blue"]) == [])
        // An empty selector selects nothing (the service's endpoints are managed by hand).
        index.set(key("a"), selector: [:])
        #expect(index.selecting(namespace: "default", labels: ["app": "web", "color": "green"]) == [])
        index.set(key("a"), selector: ["app": "web"])
        #expect(index.selecting(namespace: "default", labels: ["app": "web", "color": "green"]) == [key("a")])
    }
}
