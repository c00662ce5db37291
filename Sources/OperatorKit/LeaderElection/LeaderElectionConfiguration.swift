import Foundation

/// How replicas elect the one that reconciles, with a `coordination.k8s.io/v1` Lease.
/// The defaults are controller-runtime's.
public struct LeaderElectionConfiguration: Sendable {
    /// The Lease's name, shared by all replicas of the operator.
    public var leaseName: String
    /// Where the Lease lives (the operator's own namespace).
    public var leaseNamespace: String
    /// This replica's identity, unique among replicas (the pod name plus a random suffix).
    public var identity: String
    /// How long a lease stays valid without renewal: the longest a crashed leader blocks
    /// a successor.
    public var leaseDuration: Duration = .seconds(15)
    /// How long the leader keeps trying to renew before it gives up leading.
    public var renewDeadline: Duration = .seconds(10)
    /// How often candidates try to acquire and the leader renews.
    public var retryPeriod: Duration = .seconds(2)
    /// Clear the holder on shutdown so a successor takes over at once.
    public var releaseOnCancel = true

    public init(leaseName: String, leaseNamespace: String, identity: String = LeaderElectionConfiguration.defaultIdentity()) {
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.identity = identity
    }

    /// `<hostname>_<random>`, as controller-runtime builds it.
    public static func defaultIdentity() -> String {
        ProcessInfo.processInfo.hostName + "_" + UUID().uuidString.lowercased()
    }

    /// Checks the timings relate as client-go requires.
    public func validate() throws {
        guard leaseDuration > renewDeadline else {
            throw LeaderElectionError.invalidConfiguration(
                "the lease duration (\(leaseDuration)) must be longer than the renew deadline (\(renewDeadline))")
        }
        guard renewDeadline > retryPeriod.seconds(multipliedBy: 1.2) else {
            throw LeaderElectionError.invalidConfiguration(
                "the renew deadline (\(renewDeadline)) must be longer than 1.2 × the retry period (\(retryPeriod))")
        }
        guard !identity.isEmpty, !leaseName.isEmpty, !leaseNamespace.isEmpty else {
            throw LeaderElectionError.invalidConfiguration("leader election needs a lease name, a namespace and an identity")
        }
    }
}

/// Leader election cannot work as configured.
public enum LeaderElectionError: Error, CustomStringConvertible {
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return "invalid leader election settings: \(message)"
        }
    }
}

extension Duration {
    func seconds(multipliedBy factor: Double) -> Duration { .seconds(fractional: seconds * factor) }
}
