// The bench reads /proc and runs the sandbox's pods under bubblewrap: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
