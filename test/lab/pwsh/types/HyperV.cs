// Types of the simulated Hyper-V, Failover Clustering and VHD PowerShell modules (test/lab/pwsh),
// compiled with Add-Type. They carry the real namespaces, type names and enum numeric values
// (docs/hyperv-sim.md cites them), so `[int]$vm.State`, ConvertTo-Json, comparisons with strings
// and `-is` checks behave as on a Hyper-V host. Properties are read-only to scripts, as the real
// objects' are; the lab builds them with AetherV.Lab.HyperVObjects from the lab's RPC answers.
// AetherV.Lab.* holds the lab plumbing: the RPC client, JSON, and error records.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Microsoft.HyperV.PowerShell
{
    // Values from Microsoft's Hyper-V module (DMTF EnabledState plus Hyper-V's vendor range).
    public enum VMState
    {
        Other = 1, Running = 2, Off = 3, Stopping = 4, Saved = 6, Paused = 9, Starting = 10, Reset = 11,
        Saving = 32773, Pausing = 32776, Resuming = 32777, FastSaved = 32779, FastSaving = 32780,
        ForceShutdown = 32781, ForceReboot = 32782, Hibernated = 32783, ComponentServicing = 32784,
        RunningCritical = 32785, OffCritical = 32786, StoppingCritical = 32787, SavedCritical = 32788,
        PausedCritical = 32789, StartingCritical = 32790, ResetCritical = 32791, SavingCritical = 32792,
        PausingCritical = 32793, ResumingCritical = 32794, FastSavedCritical = 32795, FastSavingCritical = 32796
    }

    public enum VMHeartbeatStatus
    {
        Unknown = 0, Disabled = 1, NoContact = 2, Error = 3, LostCommunication = 4,
        OkApplicationsUnknown = 5, OkApplicationsHealthy = 6, OkApplicationsCritical = 7, Paused = 8
    }

    public enum VMNetworkAdapterVlanMode { Untagged = 0, Access = 1, Trunk = 2, Private = 3 }
    public enum ControllerType { IDE = 0, SCSI = 1, PMEM = 2 }
    public enum DvdMediaType { None = 0, ISO = 1, PassThrough = 2 }
    public enum VMSwitchType { Private = 0, Internal = 1, External = 2 }
    public enum OnOffState { On = 0, Off = 1 }
    // Set-VM -CheckpointType (WMI UserSnapshotType values).
    public enum CheckpointType { Disabled = 2, Production = 3, ProductionOnly = 4, Standard = 5 }
    // Get-VMSnapshot -SnapshotType; the lab reports a production checkpoint as Production.
    public enum SnapshotType { Standard = 0, Recovery = 1, Planned = 2, Missing = 3, Replica = 4, AppConsistentReplica = 5, SyncedReplica = 6, Production = 7 }

    /// <summary>The exception every Hyper-V cmdlet error carries.</summary>
    public class VirtualizationException : Exception
    {
        public VirtualizationException() { }
        public VirtualizationException(string message) : base(message) { }
        public VirtualizationException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// Base of the simulated objects. A property named in `Throwing` throws VirtualizationException
    /// when read, as a property of a VM on a broken host does (the lab's throwingProperty knob).
    /// </summary>
    public abstract class VirtualizationObject
    {
        internal HashSet<string> Throwing;
        internal string ThrowMessage;

        public string ComputerName { get; internal set; }
        public bool IsDeleted { get { return false; } }

        protected T G<T>(T value, [CallerMemberName] string property = null)
        {
            if (Throwing != null && property != null && Throwing.Contains(property))
            {
                throw new VirtualizationException(ThrowMessage ?? "The operation failed.");
            }
            return value;
        }
    }

    public class VirtualMachine : VirtualizationObject
    {
        internal Guid id;
        internal string name, version, notes, path, status;
        internal VMState state;
        internal int cpuUsage, generation;
        internal long memoryAssigned, memoryDemand, memoryStartup, memoryMinimum, memoryMaximum, processorCount;
        internal bool dynamicMemoryEnabled, isClustered;
        internal DateTime creationTime;
        internal TimeSpan uptime;
        internal VMHeartbeatStatus? heartbeat;
        internal Guid? parentSnapshotId;
        internal string parentSnapshotName;
        internal CheckpointType checkpointType;

        public string Name { get { return G(name); } }
        public Guid Id { get { return G(id); } }
        public Guid VMId { get { return G(id); } }
        public string VMName { get { return G(name); } }
        public VMState State { get { return G(state); } }
        public int CPUUsage { get { return G(cpuUsage); } }
        public long MemoryAssigned { get { return G(memoryAssigned); } }
        public long MemoryDemand { get { return G(memoryDemand); } }
        public long MemoryStartup { get { return G(memoryStartup); } }
        public long MemoryMinimum { get { return G(memoryMinimum); } }
        public long MemoryMaximum { get { return G(memoryMaximum); } }
        public bool DynamicMemoryEnabled { get { return G(dynamicMemoryEnabled); } }
        public long ProcessorCount { get { return G(processorCount); } }
        public int Generation { get { return G(generation); } }
        public string Version { get { return G(version); } }
        public string Notes { get { return G(notes); } }
        public DateTime CreationTime { get { return G(creationTime); } }
        public TimeSpan Uptime { get { return G(uptime); } }
        public VMHeartbeatStatus? Heartbeat { get { return G(heartbeat); } }
        public bool IsClustered { get { return G(isClustered); } }
        public string Path { get { return G(path); } }
        public string ConfigurationLocation { get { return G(path); } }
        public string Status { get { return G(status); } }
        public Guid? ParentSnapshotId { get { return G(parentSnapshotId); } }
        public string ParentSnapshotName { get { return G(parentSnapshotName); } }
        public Guid? ParentCheckpointId { get { return G(parentSnapshotId); } }
        public string ParentCheckpointName { get { return G(parentSnapshotName); } }
        public CheckpointType CheckpointType { get { return G(checkpointType); } }

        public override string ToString() { return "VirtualMachine (Name = '" + name + "') [Id = '" + id + "']"; }
    }

    /// <summary>A checkpoint (Get-VMSnapshot); ParentSnapshotId is null for a root.</summary>
    public class VMSnapshot : VirtualizationObject
    {
        public Guid Id { get; internal set; }
        public string Name { get; internal set; }
        public Guid VMId { get; internal set; }
        public string VMName { get; internal set; }
        public Guid? ParentSnapshotId { get; internal set; }
        public string ParentSnapshotName { get; internal set; }
        public Guid? ParentCheckpointId { get { return ParentSnapshotId; } }
        public string ParentCheckpointName { get { return ParentSnapshotName; } }
        public SnapshotType SnapshotType { get; internal set; }
        public DateTime CreationTime { get; internal set; }
        public VMState State { get; internal set; }
        public string Path { get; internal set; }
        public override string ToString() { return "VMSnapshot (Name = '" + Name + "', VMName = '" + VMName + "') [Id = '" + Id + "']"; }
    }

    public class VMNetworkAdapterVlanSetting : VirtualizationObject
    {
        internal VMNetworkAdapterVlanMode operationMode;
        internal int accessVlanId;
        public VMNetworkAdapterVlanMode OperationMode { get { return operationMode; } }
        public int AccessVlanId { get { return accessVlanId; } }
        public int NativeVlanId { get { return 0; } }
        public string VMName { get; internal set; }
        public Guid VMId { get; internal set; }
        public string AdapterName { get; internal set; }
    }

    public class VMNetworkAdapter : VirtualizationObject
    {
        public string Name { get; internal set; }
        public string Id { get; internal set; }
        public Guid VMId { get; internal set; }
        public string VMName { get; internal set; }
        public string SwitchName { get; internal set; }
        public string MacAddress { get; internal set; }
        public bool DynamicMacAddressEnabled { get; internal set; }
        public string[] IPAddresses { get; internal set; }
        public bool Connected { get; internal set; }
        public bool IsManagementOs { get; internal set; }
        public bool IsLegacy { get; internal set; }
        public VMNetworkAdapterVlanSetting VlanSetting { get; internal set; }
        public override string ToString() { return "VMNetworkAdapter (Name = '" + Name + "', VMName = '" + VMName + "') [VMId = '" + VMId + "']"; }
    }

    public abstract class Drive : VirtualizationObject
    {
        public string Name { get; internal set; }
        public string Id { get; internal set; }
        public Guid VMId { get; internal set; }
        public string VMName { get; internal set; }
        public string Path { get; internal set; }
        public ControllerType ControllerType { get; internal set; }
        public int ControllerNumber { get; internal set; }
        public int ControllerLocation { get; internal set; }
        public Guid VMSnapshotId { get { return Guid.Empty; } }
        public string VMSnapshotName { get { return string.Empty; } }
    }

    public class HardDiskDrive : Drive
    {
        public bool SupportPersistentReservations { get; internal set; }
        public int? DiskNumber { get; internal set; }
        public ulong MaximumIOPS { get; internal set; }
        public ulong MinimumIOPS { get; internal set; }
        public override string ToString() { return "HardDiskDrive (Name = '" + Name + "', VMName = '" + VMName + "') [VMId = '" + VMId + "']"; }
    }

    public class DvdDrive : Drive
    {
        public DvdMediaType DvdMediaType { get; internal set; }
        public override string ToString() { return "DvdDrive (Name = '" + Name + "', VMName = '" + VMName + "') [VMId = '" + VMId + "']"; }
    }

    public class VMMemory : VirtualizationObject
    {
        public string VMName { get; internal set; }
        public Guid VMId { get; internal set; }
        public bool DynamicMemoryEnabled { get; internal set; }
        public long Startup { get; internal set; }
        public long Minimum { get; internal set; }
        public long Maximum { get; internal set; }
        public int Buffer { get; internal set; }
        public int Priority { get; internal set; }
    }

    public class VMProcessor : VirtualizationObject
    {
        public string VMName { get; internal set; }
        public Guid VMId { get; internal set; }
        public long Count { get; internal set; }
        public long Maximum { get; internal set; }
        public long Reserve { get; internal set; }
        public int RelativeWeight { get; internal set; }
        public bool CompatibilityForMigrationEnabled { get; internal set; }
    }

    public class VMSwitch : VirtualizationObject
    {
        public string Name { get; internal set; }
        public Guid Id { get; internal set; }
        public VMSwitchType SwitchType { get; internal set; }
        public string NetAdapterInterfaceDescription { get; internal set; }
    }

    public class VMHost : VirtualizationObject
    {
        public string Name { get; internal set; }
        public string FullyQualifiedDomainName { get; internal set; }
        public long LogicalProcessorCount { get; internal set; }
        public long MemoryCapacity { get; internal set; }
        public string VirtualHardDiskPath { get; internal set; }
        public string VirtualMachinePath { get; internal set; }
        public string MacAddressMinimum { get; internal set; }
        public string MacAddressMaximum { get; internal set; }
        public bool NumaSpanningEnabled { get; internal set; }
    }
}

namespace Microsoft.Vhd.PowerShell
{
    public enum VhdType { Unknown = 0, Fixed = 2, Dynamic = 3, Differencing = 4 }
    public enum VhdFormat { Unknown = 0, VHD = 2, VHDX = 3, VHDSet = 4 }

    public class VirtualHardDisk
    {
        public string ComputerName { get; internal set; }
        public string Path { get; internal set; }
        public VhdFormat VhdFormat { get; internal set; }
        public VhdType VhdType { get; internal set; }
        public ulong FileSize { get; internal set; }
        public ulong Size { get; internal set; }
        public ulong? MinimumSize { get; internal set; }
        public uint LogicalSectorSize { get; internal set; }
        public uint PhysicalSectorSize { get; internal set; }
        public uint BlockSize { get; internal set; }
        public string ParentPath { get; internal set; }
        public string DiskIdentifier { get; internal set; }
        public int? FragmentationPercentage { get; internal set; }
        public uint Alignment { get; internal set; }
        public bool Attached { get; internal set; }
        public uint? DiskNumber { get; internal set; }
        public override string ToString() { return Path; }
    }
}

namespace Microsoft.FailoverClusters.PowerShell
{
    public enum ClusterNodeState { Up = 0, Down = 1, Paused = 2, Joining = 3, Unknown = -1 }
    public enum ClusterGroupState { Online = 0, Offline = 1, Failed = 2, PartialOnline = 3, Pending = 4, Unknown = -1 }
    public enum GroupType { Cluster = 1, AvailableStorage = 2, VirtualMachine = 111, Unknown = 9999 }
    // Move-ClusterVirtualMachineRole -MigrationType (NativeGroupHelp.VmMigrationType in the real module).
    public enum VmMigrationType { TurnOff = 0, Quick = 1, Shutdown = 2, ShutdownForce = 3, Live = 4 }

    /// <summary>The exception the Failover Clustering cmdlets' errors carry.</summary>
    public class ClusterCmdletException : Exception
    {
        public ClusterCmdletException(string message) : base(message) { }
    }

    public class Cluster
    {
        public string Name { get; internal set; }
        public string Domain { get; internal set; }
        public Guid Id { get; internal set; }
        public override string ToString() { return Name; }
    }

    public class ClusterNode
    {
        public string Name { get; internal set; }
        public string Id { get; internal set; }
        public ClusterNodeState State { get; internal set; }
        public Cluster Cluster { get; internal set; }
        public override string ToString() { return Name; }
    }

    public class ClusterGroup
    {
        public string Name { get; internal set; }
        public ClusterNode OwnerNode { get; internal set; }
        public ClusterGroupState State { get; internal set; }
        public GroupType GroupType { get; internal set; }
        public Guid Id { get; internal set; }
        public Cluster Cluster { get; internal set; }
        public override string ToString() { return Name; }
    }
}

namespace Microsoft.PowerShell.Commands
{
    /// <summary>Get-Service's error for an unknown service (Windows-only type, absent from pwsh on Linux).</summary>
    public class ServiceCommandException : SystemException
    {
        public ServiceCommandException(string message, string serviceName) : base(message) { ServiceName = serviceName; }
        public string ServiceName { get; private set; }
    }
}

namespace AetherV.Lab
{
    using Microsoft.HyperV.PowerShell;
    using Microsoft.Vhd.PowerShell;
    using Microsoft.FailoverClusters.PowerShell;

    /// <summary>
    /// The channel to the lab's host model: one POST {host, method, params} per call to
    /// $env:AETHERV_LAB_RPC. One HttpClient per process (keep-alive), whichever module calls.
    /// </summary>
    public static class LabRpc
    {
        private static readonly HttpClient Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4) })
        {
            // Calls hold as long as the modelled operation (a power action's transition, a "hang" knob).
            Timeout = System.Threading.Timeout.InfiniteTimeSpan
        };

        public const string KindKey = "AetherVLabErrorKind";

        public static object Invoke(string method, IDictionary parameters)
        {
            string url = Environment.GetEnvironmentVariable("AETHERV_LAB_RPC");
            if (string.IsNullOrEmpty(url)) throw Failure("OperationFailed", "The lab RPC address (AETHERV_LAB_RPC) is not set.");
            var body = new MemoryStream();
            using (var writer = new Utf8JsonWriter(body))
            {
                writer.WriteStartObject();
                writer.WriteString("host", Environment.GetEnvironmentVariable("AETHERV_LAB_HOST") ?? "");
                writer.WriteString("method", method);
                writer.WritePropertyName("params");
                Json.Write(writer, parameters ?? new Hashtable());
                writer.WriteEndObject();
            }
            var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (Environment.GetEnvironmentVariable("AETHERV_LAB_TOKEN") ?? ""));
            request.Content = new ByteArrayContent(body.ToArray());
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
            string text;
            try
            {
                using (HttpResponseMessage response = Client.Send(request))
                using (var reader = new StreamReader(response.Content.ReadAsStream(), Encoding.UTF8))
                {
                    text = reader.ReadToEnd();
                }
            }
            catch (HttpRequestException e)
            {
                throw Failure("OperationFailed", "The lab RPC endpoint did not answer: " + e.Message);
            }
            using (JsonDocument doc = JsonDocument.Parse(text))
            {
                JsonElement root = doc.RootElement;
                JsonElement ok;
                if (root.TryGetProperty("ok", out ok) && ok.ValueKind == JsonValueKind.True)
                {
                    JsonElement result;
                    return root.TryGetProperty("result", out result) ? Json.ToObject(result) : null;
                }
                string kind = "OperationFailed", message = "lab RPC failed";
                JsonElement error;
                if (root.TryGetProperty("error", out error) && error.ValueKind == JsonValueKind.Object)
                {
                    JsonElement k, m;
                    if (error.TryGetProperty("kind", out k) && k.ValueKind == JsonValueKind.String) kind = k.GetString();
                    if (error.TryGetProperty("message", out m) && m.ValueKind == JsonValueKind.String) message = m.GetString();
                }
                throw Failure(kind, message);
            }
        }

        /// <summary>A VirtualizationException carrying the lab's error kind in Data.</summary>
        public static VirtualizationException Failure(string kind, string message)
        {
            var e = new VirtualizationException(message);
            e.Data[KindKey] = kind;
            return e;
        }

        public static string KindOf(Exception e)
        {
            return e != null && e.Data.Contains(KindKey) ? (string)e.Data[KindKey] : "OperationFailed";
        }
    }

    /// <summary>JSON both ways without PowerShell's converters (faster, and no depth limit surprises).</summary>
    public static class Json
    {
        public static object ToObject(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (JsonProperty p in e.EnumerateObject()) table[p.Name] = ToObject(p.Value);
                    return table;
                case JsonValueKind.Array:
                    var list = new List<object>();
                    foreach (JsonElement item in e.EnumerateArray()) list.Add(ToObject(item));
                    return list.ToArray();
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number:
                    long l;
                    if (e.TryGetInt64(out l)) return l;
                    return e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }

        public static void Write(Utf8JsonWriter w, object value)
        {
            var pso = value as PSObject;
            if (pso != null)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    w.WriteStartObject();
                    foreach (PSPropertyInfo p in pso.Properties) { w.WritePropertyName(p.Name); Write(w, p.Value); }
                    w.WriteEndObject();
                    return;
                }
                value = pso.BaseObject;
            }
            if (value == null) { w.WriteNullValue(); return; }
            if (value is string) { w.WriteStringValue((string)value); return; }
            if (value is char) { w.WriteStringValue(value.ToString()); return; }
            if (value is bool) { w.WriteBooleanValue((bool)value); return; }
            if (value is Enum) { w.WriteStringValue(value.ToString()); return; }
            if (value is Guid) { w.WriteStringValue(((Guid)value).ToString()); return; }
            if (value is DateTime) { w.WriteStringValue(((DateTime)value).ToUniversalTime().ToString("o")); return; }
            if (value is SwitchParameter) { w.WriteBooleanValue(((SwitchParameter)value).IsPresent); return; }
            if (value is byte || value is sbyte || value is short || value is ushort || value is int || value is uint || value is long)
            {
                w.WriteNumberValue(Convert.ToInt64(value)); return;
            }
            if (value is ulong) { w.WriteNumberValue((ulong)value); return; }
            if (value is float || value is double) { w.WriteNumberValue(Convert.ToDouble(value)); return; }
            if (value is decimal) { w.WriteNumberValue((decimal)value); return; }
            var dict = value as IDictionary;
            if (dict != null)
            {
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict) { w.WritePropertyName(Convert.ToString(entry.Key)); Write(w, entry.Value); }
                w.WriteEndObject();
                return;
            }
            var seq = value as IEnumerable;
            if (seq != null)
            {
                w.WriteStartArray();
                foreach (object item in seq) Write(w, item);
                w.WriteEndArray();
                return;
            }
            w.WriteStringValue(value.ToString());
        }
    }

    /// <summary>
    /// ErrorRecords with the real cmdlets' FullyQualifiedErrorId ("InvalidState,
    /// Microsoft.HyperV.PowerShell.Commands.StartVM"): an advanced function would otherwise append
    /// its own name, so the id is set as a deserialized record's would be.
    /// </summary>
    public static class Errors
    {
        private static readonly FieldInfo FullIdField = typeof(ErrorRecord).GetField("_serializedFullyQualifiedErrorId", BindingFlags.NonPublic | BindingFlags.Instance);

        public static ErrorRecord Record(Exception exception, string errorId, string commandClass, ErrorCategory category, object target)
        {
            var record = new ErrorRecord(exception, errorId, category, target);
            if (FullIdField != null && !string.IsNullOrEmpty(commandClass)) FullIdField.SetValue(record, errorId + "," + commandClass);
            return record;
        }
    }

    /// <summary>Builds the module objects from the lab's answers (hashtables of raw facts).</summary>
    public static class HyperVObjects
    {
        private static string S(IDictionary d, string k) { object v = d[k]; return v == null ? null : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture); }
        private static long L(IDictionary d, string k) { object v = d[k]; return v == null ? 0 : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture); }
        private static bool B(IDictionary d, string k) { object v = d[k]; return v != null && Convert.ToBoolean(v); }
        private static Guid Id(IDictionary d, string k) { string s = S(d, k); return string.IsNullOrEmpty(s) ? Guid.Empty : Guid.Parse(s); }
        private static T E<T>(IDictionary d, string k) where T : struct { return (T)Enum.Parse(typeof(T), S(d, k), true); }
        private static string[] Strings(IDictionary d, string k)
        {
            var items = d[k] as object[];
            if (items == null) return new string[0];
            var list = new List<string>();
            foreach (object o in items) list.Add(Convert.ToString(o));
            return list.ToArray();
        }
        private static DateTime Time(IDictionary d, string k)
        {
            object v = d[k];
            if (v is DateTime) return ((DateTime)v).ToLocalTime();
            // Hyper-V reports local times; the lab sends UTC ISO strings.
            return DateTime.Parse(S(d, k), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind).ToLocalTime();
        }

        /// <summary>The VM's id without going through its (possibly throwing) property getter.</summary>
        public static Guid IdOf(VirtualMachine vm) { return vm.id; }
        public static string NameOf(VirtualMachine vm) { return vm.name; }

        public static VirtualMachine VirtualMachine(IDictionary d, string computerName)
        {
            var vm = new VirtualMachine();
            vm.ComputerName = computerName;
            vm.id = Id(d, "id");
            vm.name = S(d, "name");
            vm.state = E<VMState>(d, "state");
            vm.cpuUsage = (int)L(d, "cpuUsage");
            vm.memoryAssigned = L(d, "memoryAssigned");
            vm.memoryDemand = L(d, "memoryDemand");
            vm.memoryStartup = L(d, "memoryStartup");
            vm.memoryMinimum = L(d, "memoryMinimum");
            vm.memoryMaximum = L(d, "memoryMaximum");
            vm.dynamicMemoryEnabled = B(d, "dynamicMemoryEnabled");
            vm.processorCount = L(d, "processorCount");
            vm.generation = (int)L(d, "generation");
            vm.version = S(d, "version");
            vm.notes = S(d, "notes") ?? "";
            vm.creationTime = Time(d, "creationTime");
            vm.uptime = TimeSpan.FromSeconds(L(d, "uptimeSeconds"));
            vm.heartbeat = d["heartbeat"] == null ? (VMHeartbeatStatus?)null : E<VMHeartbeatStatus>(d, "heartbeat");
            vm.isClustered = B(d, "isClustered");
            vm.path = S(d, "path");
            vm.status = S(d, "status");
            string parent = S(d, "parentSnapshotId");
            vm.parentSnapshotId = string.IsNullOrEmpty(parent) ? (Guid?)null : Guid.Parse(parent);
            vm.parentSnapshotName = S(d, "parentSnapshotName");
            vm.checkpointType = d["checkpointType"] == null ? Microsoft.HyperV.PowerShell.CheckpointType.Production : E<CheckpointType>(d, "checkpointType");
            string[] throwing = Strings(d, "throwingProperties");
            if (throwing.Length > 0)
            {
                vm.Throwing = new HashSet<string>(throwing, StringComparer.OrdinalIgnoreCase);
                vm.ThrowMessage = S(d, "throwMessage");
            }
            return vm;
        }

        public static VMNetworkAdapter NetworkAdapter(IDictionary d, string computerName)
        {
            var vlan = new VMNetworkAdapterVlanSetting
            {
                operationMode = E<VMNetworkAdapterVlanMode>(d, "vlanMode"),
                accessVlanId = (int)L(d, "accessVlanId"),
                ComputerName = computerName,
                VMName = S(d, "vmName"),
                VMId = Id(d, "vmId"),
                AdapterName = S(d, "name")
            };
            return new VMNetworkAdapter
            {
                ComputerName = computerName,
                Name = S(d, "name"),
                Id = S(d, "id"),
                VMId = Id(d, "vmId"),
                VMName = S(d, "vmName"),
                SwitchName = S(d, "switchName"),
                MacAddress = S(d, "macAddress"),
                DynamicMacAddressEnabled = true,
                IPAddresses = Strings(d, "ipAddresses"),
                Connected = S(d, "switchName") != null,
                VlanSetting = vlan
            };
        }

        private static void FillDrive(Drive drive, IDictionary d, string computerName, string kind)
        {
            drive.ComputerName = computerName;
            drive.Id = S(d, "id");
            drive.VMId = Id(d, "vmId");
            drive.VMName = S(d, "vmName");
            drive.Path = S(d, "path");
            drive.ControllerType = E<ControllerType>(d, "controllerType");
            drive.ControllerNumber = (int)L(d, "controllerNumber");
            drive.ControllerLocation = (int)L(d, "controllerLocation");
            drive.Name = kind + " on " + drive.ControllerType + " controller number " + drive.ControllerNumber + " at location " + drive.ControllerLocation;
        }

        public static HardDiskDrive HardDiskDrive(IDictionary d, string computerName)
        {
            var drive = new HardDiskDrive { SupportPersistentReservations = B(d, "supportPersistentReservations") };
            FillDrive(drive, d, computerName, "Hard Drive");
            return drive;
        }

        public static DvdDrive DvdDrive(IDictionary d, string computerName)
        {
            var drive = new DvdDrive();
            FillDrive(drive, d, computerName, "DVD Drive");
            drive.DvdMediaType = drive.Path == null ? DvdMediaType.None : DvdMediaType.ISO;
            return drive;
        }

        public static VMSnapshot Snapshot(IDictionary d, string computerName)
        {
            string parent = S(d, "parentSnapshotId");
            return new VMSnapshot
            {
                ComputerName = computerName, Id = Id(d, "id"), Name = S(d, "name"), VMId = Id(d, "vmId"), VMName = S(d, "vmName"),
                ParentSnapshotId = string.IsNullOrEmpty(parent) ? (Guid?)null : Guid.Parse(parent), ParentSnapshotName = S(d, "parentSnapshotName"),
                SnapshotType = E<SnapshotType>(d, "snapshotType"), CreationTime = Time(d, "creationTime"), State = E<VMState>(d, "state"), Path = S(d, "path")
            };
        }

        public static VMMemory Memory(IDictionary vm, string computerName)
        {
            return new VMMemory
            {
                ComputerName = computerName, VMName = S(vm, "name"), VMId = Id(vm, "id"),
                DynamicMemoryEnabled = B(vm, "dynamicMemoryEnabled"), Startup = L(vm, "memoryStartup"),
                Minimum = L(vm, "memoryMinimum"), Maximum = L(vm, "memoryMaximum"), Buffer = vm["memoryBuffer"] == null ? 20 : (int)L(vm, "memoryBuffer"), Priority = 50
            };
        }

        public static VMProcessor Processor(IDictionary vm, string computerName)
        {
            return new VMProcessor
            {
                ComputerName = computerName, VMName = S(vm, "name"), VMId = Id(vm, "id"),
                Count = L(vm, "processorCount"), Maximum = 100, Reserve = 0, RelativeWeight = 100
            };
        }

        public static VMSwitch Switch(IDictionary d, string computerName)
        {
            return new VMSwitch
            {
                ComputerName = computerName, Name = S(d, "name"), Id = Id(d, "id"),
                SwitchType = E<VMSwitchType>(d, "switchType"), NetAdapterInterfaceDescription = S(d, "netAdapterInterfaceDescription")
            };
        }

        public static VMHost Host(IDictionary d)
        {
            return new VMHost
            {
                ComputerName = S(d, "computerName"), Name = S(d, "computerName"),
                FullyQualifiedDomainName = S(d, "computerName") + "." + S(d, "domain"),
                LogicalProcessorCount = L(d, "logicalProcessors"), MemoryCapacity = L(d, "memoryTotalBytes"),
                VirtualHardDiskPath = S(d, "virtualHardDiskPath"), VirtualMachinePath = S(d, "virtualMachinePath"),
                MacAddressMinimum = "00155D000000", MacAddressMaximum = "00155DFFFFFF", NumaSpanningEnabled = true
            };
        }

        public static VirtualHardDisk Vhd(IDictionary d, string computerName)
        {
            return new VirtualHardDisk
            {
                ComputerName = computerName, Path = S(d, "path"), VhdFormat = E<VhdFormat>(d, "vhdFormat"),
                VhdType = E<VhdType>(d, "vhdType"), FileSize = (ulong)L(d, "fileSize"), Size = (ulong)L(d, "size"),
                MinimumSize = d["minimumSize"] == null ? (ulong?)null : (ulong)L(d, "minimumSize"),
                LogicalSectorSize = 512, PhysicalSectorSize = 4096,
                BlockSize = E<VhdType>(d, "vhdType") == VhdType.Fixed ? 0u : 33554432u,
                ParentPath = S(d, "parentPath") ?? "", DiskIdentifier = S(d, "diskIdentifier"),
                Alignment = 1, Attached = false
            };
        }

        public static Cluster Cluster(IDictionary d)
        {
            return new Cluster { Name = S(d, "name"), Domain = S(d, "domain"), Id = Id(d, "id") };
        }

        public static ClusterNode ClusterNode(IDictionary d, Cluster cluster)
        {
            return new ClusterNode { Name = S(d, "name"), Id = S(d, "id"), State = E<ClusterNodeState>(d, "state"), Cluster = cluster };
        }

        public static ClusterGroup ClusterGroup(IDictionary d, Cluster cluster)
        {
            var owner = new ClusterNode { Name = S(d, "ownerNode"), Id = "1", State = ClusterNodeState.Up, Cluster = cluster };
            return new ClusterGroup
            {
                Name = S(d, "name"), OwnerNode = owner, State = E<ClusterGroupState>(d, "state"),
                GroupType = E<GroupType>(d, "groupType"), Id = Id(d, "id"), Cluster = cluster
            };
        }
    }
}
