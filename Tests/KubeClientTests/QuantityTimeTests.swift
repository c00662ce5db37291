import Foundation
import Testing
@testable import KubeClient

@Suite struct QuantityTests {
    @Test func parsesToExactValues() throws {
        #expect(try Quantity(parsing: "500m").value == Decimal(string: "0.5"))
        #expect(try Quantity(parsing: "128Mi").value == 134_217_728)
        #expect(try Quantity(parsing: "1Gi").value == 1_073_741_824)
        #expect(try Quantity(parsing: "2").value == 2)
        #expect(try Quantity(parsing: "1e3").value == 1000)
        #expect(try Quantity(parsing: "1.5").value == Decimal(string: "1.5"))
        #expect(try Quantity(parsing: "100k").value == 100_000)
        #expect(try Quantity(parsing: "-2M").value == -2_000_000)
        #expect(try Quantity(parsing: "250u").value == Decimal(string: "0.00025"))
        #expect(try Quantity(parsing: "3E").value == Decimal(string: "3000000000000000000"))
        #expect(try Quantity(parsing: "1E-3").value == Decimal(string: "0.001"))
        #expect(try Quantity(parsing: "500m").milliValue == 500)
        #expect(try Quantity(parsing: "1.1").int64Value == 2, "Value() rounds up")
        #expect(try Quantity(parsing: "250m").doubleValue == 0.25)
    }

    @Test func rejectsMalformed() {
        for bad in ["", "m", "1.2.3", "12Q", "1Kb", "abc", "1 Gi"] {
            #expect(throws: Quantity.Error.self, "\(bad)") { try Quantity(parsing: bad) }
        }
        do {
            _ = try Quantity(parsing: "12Q")
        } catch {
            #expect("\(error)".contains("unknown suffix"))
        }
    }

    @Test func formatsCanonically() throws {
        #expect(Quantity(Decimal(string: "0.5")!).canonical == "500m")
        #expect(Quantity(bytes: 134_217_728).canonical == "128Mi")
        #expect(Quantity(bytes: 1_610_612_736).canonical == "1536Mi")
        #expect(Quantity(bytes: 512).canonical == "512")
        #expect(Quantity(2000).canonical == "2k")
        #expect(Quantity(1500).canonical == "1500")
        #expect(Quantity(millis: 250).canonical == "250m")
        #expect(Quantity(0).canonical == "0")
        #expect(try Quantity(parsing: "1e3").canonical == "1e3")
        #expect(try Quantity(parsing: "0.5Gi").canonical == "512Mi")
        #expect(try Quantity(parsing: "1.5").canonical == "1500m")
        // The text read is written back as it was.
        #expect(try Quantity(parsing: "0.5Gi").description == "0.5Gi")
        #expect(try JSONValue(encoding: Quantity(parsing: "1000Mi")) == "1000Mi")
    }

    @Test func codableAcceptsNumbersAndCompares() throws {
        let resources = try (["cpu": 2, "memory": "1Gi", "gpu": 0.5] as JSONValue).decode([String: Quantity].self)
        #expect(resources["cpu"] == Quantity(2))
        #expect(resources["memory"]! > Quantity(bytes: 1024))
        #expect(resources["gpu"]?.milliValue == 500)
        #expect(try Quantity(parsing: "1Gi") == Quantity(parsing: "1024Mi"))
        #expect(try Quantity(parsing: "1") + Quantity(parsing: "500m") == Quantity(parsing: "1500m"))
    }

    @Test func intOrString() throws {
        let v = try (["a": 1, "b": "25%"] as JSONValue).decode([String: IntOrString].self)
        #expect(v["a"] == .int(1))
        #expect(v["b"] == .string("25%"))
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: true) == 3)
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: false) == 2)
        #expect(IntOrString.int(4).scaledValue(total: 10, roundUp: true) == 4)
        #expect(IntOrString.string("http").scaledValue(total: 10, roundUp: true) == nil)
        #expect(try JSONValue(encoding: IntOrString.int(8080)) == 8080)
    }
}

@Suite struct TimestampTests {
    @Test func parsesAndFormatsRFC3339() throws {
        let date = try #require(KubeTimestamp.parse("2024-05-01T10:00:00Z"))
        #expect(date.timeIntervalSince1970 == 1_714_557_600)
        #expect(KubeTimestamp.format(date) == "2024-05-01T10:00:00Z")
        #expect(KubeTimestamp.parse("2024-05-01T12:00:00+02:00") == date)
        #expect(KubeTimestamp.parse("2024-05-01T10:00:00.5Z")?.timeIntervalSince1970 == 1_714_557_600.5)
        #expect(KubeTimestamp.parse("1969-12-31T23:59:59Z")?.timeIntervalSince1970 == -1)
        #expect(KubeTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(KubeTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        for bad in ["", "2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T10:00:00", "2024-05-01T10:00:00Zjunk"] {
            #expect(KubeTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func microTimeKeepsSixDigits() throws {
        let text = "2024-05-01T10:00:00.123456Z"
        let micro = try #require(MicroTime(text))
        #expect(micro.description == text)
        #expect(try JSONValue(encoding: micro) == .string(text))
        #expect(try JSONValue.string(text).decode(MicroTime.self) == micro)
        #expect(MicroTime(Date(timeIntervalSince1970: 1_714_557_600)).description == "2024-05-01T10:00:00.000000Z")
        #expect(KubeTime(micro.date).description == "2024-05-01T10:00:00Z")
        for us in [1, 999_999, 500_000, 100_001] {
            let t = "2030-12-31T23:59:59.\(String(format: "%06d", us))Z"
            #expect(MicroTime(t)?.description == t)
        }
    }

    @Test func rejectsBadTimestampsWhenDecoding() {
        #expect(throws: KubeError.self) { try JSONValue.string("yesterday").decode(KubeTime.self) }
    }
}
