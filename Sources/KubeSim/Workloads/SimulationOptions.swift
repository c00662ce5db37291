import Foundation

/// How the simulated cluster behaves: its nodes, its clock and its bookkeeping.
public struct SimulationOptions: Sendable {
    /// Wall seconds per simulated second (see ``SimulationClock``): 1 is real time, tests use less.
    public var timeScale: Double = 1
    /// Nodes registered when the simulation starts (`sim-node-1`, `sim-node-2`, …).
    public var initialNodes = 3
    /// What each simulated node offers.
    public var nodeCapacity = NodeCapacity()
    /// When a pod fits on no node, add nodes (as a cluster autoscaler would) up to this many;
    /// at the limit the pod stays Pending with `Unschedulable`.
    public var maxNodes = 1000
    /// Events are deleted this long (wall seconds) after they were first recorded.
    public var eventTTL: TimeInterval = 3600
    /// Record Events for what the simulated controllers do.
    public var recordEvents = true

    public init(timeScale: Double = 1, initialNodes: Int = 3, nodeCapacity: NodeCapacity = NodeCapacity(),
                maxNodes: Int = 1000, eventTTL: TimeInterval = 3600, recordEvents: Bool = true) {
        self.timeScale = timeScale
        self.initialNodes = initialNodes
        self.nodeCapacity = nodeCapacity
        self.maxNodes = max(maxNodes, initialNodes)
        self.eventTTL = eventTTL
        self.recordEvents = recordEvents
    }
}

/// The capacity of one simulated node (allocatable is the same, minus a little for the system).
public struct NodeCapacity: Sendable, Equatable {
    public var cpuCores: Int
    public var memoryBytes: Int64
    public var pods: Int

    public init(cpuCores: Int = 8, memoryBytes: Int64 = 32 * 1024 * 1024 * 1024, pods: Int = 110) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.pods = pods
    }
}
