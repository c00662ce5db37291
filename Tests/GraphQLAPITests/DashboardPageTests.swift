import GraphQLAPI
import Testing

/// The dashboard is one self-contained page: a browser with no network beyond the operator
/// (air-gapped clusters, the offline browser test) must be able to render all of it.
@Suite struct DashboardPageTests {
    @Test func thePageLoadsNothingFromAnotherOrigin() {
        let html = DashboardPage.html
        for reference in ["http://", "https://", " src=", "@import", "url(", "<link rel=\"stylesheet\""] {
            #expect(!html.contains(reference), "the dashboard must not reference \(reference)…: inline it instead")
        }
        #expect(html.contains("<link rel=\"icon\" href=\"data:,\">"), "without an inline icon the browser asks for /favicon.ico")
    }
}
