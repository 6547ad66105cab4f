using System.Globalization;
using System.Net;

namespace DataMover.Operator.Hosting;

/// <summary>Parses controller-runtime style bind addresses: ":8080", "127.0.0.1:0", "[::1]:9090", "0" (disabled).</summary>
internal static class BindAddress
{
    /// <summary>The endpoint, or null when the address disables the listener.</summary>
    public static IPEndPoint? Parse(string address)
    {
        if (string.IsNullOrWhiteSpace(address) || address == "0")
        {
            return null;
        }

        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"bind address \"{address}\" is not host:port");
        }

        var host = address[..colon].Trim('[', ']');
        var ip = host switch
        {
            "" or "*" or "0.0.0.0" => IPAddress.Any,
            "::" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : throw new FormatException($"bind address \"{address}\" has no IP address"),
        };
        return new IPEndPoint(ip, port);
    }
}
