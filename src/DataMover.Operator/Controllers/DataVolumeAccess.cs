namespace DataMover.Operator.Controllers;

/// <summary>How the mover mounts the volume at /data: a backup only reads its clone, a restore writes its target.</summary>
internal enum DataVolumeAccess
{
    ReadOnly,
    ReadWrite,
}
