import Foundation
import KubeClient

/// The leader-election fields of a Lease's spec.
struct LeaseRecord: Equatable, Sendable {
    var holderIdentity: String
    var leaseDurationSeconds: Int
    var acquireTime: String?
    var renewTime: String?
    var leaseTransitions: Int

    init(
        holderIdentity: String, leaseDurationSeconds: Int, acquireTime: String?, renewTime: String?,
        leaseTransitions: Int
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    init(lease: JSONValue) {
        let spec = lease["spec"]
        holderIdentity = spec["holderIdentity"].stringValue ?? ""
        leaseDurationSeconds = spec["leaseDurationSeconds"].intValue ?? 0
        acquireTime = spec["acquireTime"].stringValue
        renewTime = spec["renewTime"].stringValue
        leaseTransitions = spec["leaseTransitions"].intValue ?? 0
    }

    var spec: JSONValue {
        var spec: JSONValue = [
            "holderIdentity": .string(holderIdentity),
            "leaseDurationSeconds": .int(Int64(leaseDurationSeconds)),
            "leaseTransitions": .int(Int64(leaseTransitions)),
        ]
        spec["acquireTime"] = acquireTime.map(JSONValue.string) ?? .null
        spec["renewTime"] = renewTime.map(JSONValue.string) ?? .null
        return spec
    }

    static func microTime(_ date: Date) -> String { KubeTimestamp.format(date, fractionalDigits: 6) }
}
