using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// A small CEL subset for x-kubernetes-validations: literals, self/oldSelf, field access, has(),
/// comparisons, &amp;&amp; || !, arithmetic, ternary, `in`, list literals, size(), startsWith/endsWith/
/// contains/matches, all()/exists(). Anything else fails to compile and the rule is skipped.
/// </summary>
internal sealed class CelProgram
{
    private readonly Func<Scope, object?> _root;

    private CelProgram(Func<Scope, object?> root, bool usesOldSelf)
    {
        _root = root;
        UsesOldSelf = usesOldSelf;
    }

    public bool UsesOldSelf { get; }

    public static CelProgram Compile(string text)
    {
        var parser = new Parser(Tokenize(text));
        var root = parser.ParseExpression();
        parser.ExpectEnd();
        return new CelProgram(root, parser.UsesOldSelf);
    }

    public bool Evaluate(JsonNode? self, JsonNode? oldSelf)
    {
        var scope = new Scope(new Dictionary<string, object?> { ["self"] = FromJson(self), ["oldSelf"] = FromJson(oldSelf) });
        return _root(scope) is true;
    }

    private static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o,
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => JsonPaths.TryLong(v, out var l) ? l : JsonPaths.TryDouble(v, out var d) ? d : 0d,
            _ => null,
        },
        _ => null,
    };

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != c)
                {
                    end += text[end] == '\\' ? 2 : 1;
                }

                tokens.Add(text[i..Math.Min(end + 1, text.Length)]);
                i = end + 1;
            }
            else if (char.IsDigit(c))
            {
                var end = i;
                while (end < text.Length && (char.IsDigit(text[end]) || text[end] == '.'))
                {
                    end++;
                }

                tokens.Add(text[i..end]);
                i = end;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var end = i;
                while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
                {
                    end++;
                }

                tokens.Add(text[i..end]);
                i = end;
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                {
                    tokens.Add(two);
                    i += 2;
                }
                else if ("()[]{}.,!<>+-*/%?:".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(c.ToString());
                    i++;
                }
                else
                {
                    throw new CelException($"unsupported character '{c}'");
                }
            }
        }

        return tokens;
    }

    private sealed class Scope(Dictionary<string, object?> vars)
    {
        public object? Get(string name) => vars.TryGetValue(name, out var v) ? v : throw new CelException($"undeclared reference to '{name}'");

        public Scope With(string name, object? value) => new(new Dictionary<string, object?>(vars) { [name] = value });
    }

    private sealed class Parser(List<string> tokens)
    {
        private int _pos;

        public bool UsesOldSelf { get; private set; }

        private string Peek => _pos < tokens.Count ? tokens[_pos] : "";

        public void ExpectEnd()
        {
            if (_pos != tokens.Count)
            {
                throw new CelException($"unexpected token '{Peek}'");
            }
        }

        public Func<Scope, object?> ParseExpression()
        {
            var cond = ParseOr();
            if (Peek != "?")
            {
                return cond;
            }

            _pos++;
            var whenTrue = ParseExpression();
            Expect(":");
            var whenFalse = ParseExpression();
            return s => Truthy(cond(s)) ? whenTrue(s) : whenFalse(s);
        }

        private Func<Scope, object?> ParseOr()
        {
            var left = ParseAnd();
            while (Peek == "||")
            {
                _pos++;
                var l = left;
                var r = ParseAnd();
                left = s => Truthy(l(s)) || Truthy(r(s));
            }

            return left;
        }

        private Func<Scope, object?> ParseAnd()
        {
            var left = ParseRelation();
            while (Peek == "&&")
            {
                _pos++;
                var l = left;
                var r = ParseRelation();
                left = s => Truthy(l(s)) && Truthy(r(s));
            }

            return left;
        }

        private Func<Scope, object?> ParseRelation()
        {
            var left = ParseAdditive();
            while (Peek is "==" or "!=" or "<" or "<=" or ">" or ">=" or "in")
            {
                var op = tokens[_pos++];
                var l = left;
                var r = ParseAdditive();
                left = op switch
                {
                    "==" => s => ValueEquals(l(s), r(s)),
                    "!=" => s => !ValueEquals(l(s), r(s)),
                    "in" => s => In(l(s), r(s)),
                    _ => s => CompareOp(op, l(s), r(s)),
                };
            }

            return left;
        }

        private Func<Scope, object?> ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (Peek is "+" or "-")
            {
                var op = tokens[_pos++];
                var l = left;
                var r = ParseMultiplicative();
                left = s => Arithmetic(op, l(s), r(s));
            }

            return left;
        }

        private Func<Scope, object?> ParseMultiplicative()
        {
            var left = ParseUnary();
            while (Peek is "*" or "/" or "%")
            {
                var op = tokens[_pos++];
                var l = left;
                var r = ParseUnary();
                left = s => Arithmetic(op, l(s), r(s));
            }

            return left;
        }

        private Func<Scope, object?> ParseUnary()
        {
            if (Peek == "!")
            {
                _pos++;
                var inner = ParseUnary();
                return s => !Truthy(inner(s));
            }

            if (Peek == "-")
            {
                _pos++;
                var inner = ParseUnary();
                return s => Arithmetic("-", 0L, inner(s));
            }

            return ParsePostfix(ParsePrimary());
        }

        private Func<Scope, object?> ParsePostfix(Func<Scope, object?> target)
        {
            while (true)
            {
                if (Peek == ".")
                {
                    _pos++;
                    var name = Unescape(tokens[_pos++]);
                    if (Peek == "(")
                    {
                        target = ParseMethod(target, name);
                    }
                    else
                    {
                        var t = target;
                        target = s => Member(t(s), name);
                    }
                }
                else if (Peek == "[")
                {
                    _pos++;
                    var index = ParseExpression();
                    Expect("]");
                    var t = target;
                    target = s => Index(t(s), index(s));
                }
                else
                {
                    return target;
                }
            }
        }

        private Func<Scope, object?> ParseMethod(Func<Scope, object?> target, string name)
        {
            Expect("(");
            if (name is "all" or "exists" or "exists_one")
            {
                var variable = tokens[_pos++];
                Expect(",");
                var predicate = ParseExpression();
                Expect(")");
                return s =>
                {
                    var items = Items(target(s));
                    var count = items.Count(i => Truthy(predicate(s.With(variable, i))));
                    return name switch
                    {
                        "all" => count == items.Count,
                        "exists" => count > 0,
                        _ => count == 1,
                    };
                };
            }

            var args = ParseArgs();
            return name switch
            {
                "size" => s => Size(target(s)),
                "startsWith" => s => AsString(target(s)).StartsWith(AsString(args[0](s)), StringComparison.Ordinal),
                "endsWith" => s => AsString(target(s)).EndsWith(AsString(args[0](s)), StringComparison.Ordinal),
                "contains" => s => AsString(target(s)).Contains(AsString(args[0](s)), StringComparison.Ordinal),
                "matches" => s => Regex.IsMatch(AsString(target(s)), AsString(args[0](s)), RegexOptions.None, TimeSpan.FromSeconds(1)),
                _ => throw new CelException($"unsupported function '{name}'"),
            };
        }

        private List<Func<Scope, object?>> ParseArgs()
        {
            var args = new List<Func<Scope, object?>>();
            while (Peek != ")")
            {
                args.Add(ParseExpression());
                if (Peek == ",")
                {
                    _pos++;
                }
            }

            Expect(")");
            return args;
        }

        private Func<Scope, object?> ParsePrimary()
        {
            var token = Peek;
            if (token.Length == 0)
            {
                throw new CelException("unexpected end of rule");
            }

            _pos++;
            if (token == "(")
            {
                var inner = ParseExpression();
                Expect(")");
                return inner;
            }

            if (token == "[")
            {
                var items = new List<Func<Scope, object?>>();
                while (Peek != "]")
                {
                    items.Add(ParseExpression());
                    if (Peek == ",")
                    {
                        _pos++;
                    }
                }

                Expect("]");
                return s => items.Select(i => i(s)).ToList();
            }

            if (token[0] is '"' or '\'')
            {
                var literal = Regex.Unescape(token[1..^1]);
                return _ => literal;
            }

            if (char.IsDigit(token[0]))
            {
                if (token.Contains('.', StringComparison.Ordinal))
                {
                    var d = double.Parse(token, CultureInfo.InvariantCulture);
                    return _ => d;
                }

                var l = long.Parse(token, CultureInfo.InvariantCulture);
                return _ => l;
            }

            switch (token)
            {
                case "true":
                    return _ => true;
                case "false":
                    return _ => false;
                case "null":
                    return _ => null;
                case "has":
                    return ParseHas();
                case "size":
                    Expect("(");
                    var arg = ParseExpression();
                    Expect(")");
                    return s => Size(arg(s));
                case "int" or "string" or "double":
                    Expect("(");
                    var conv = ParseExpression();
                    Expect(")");
                    return s => Convert(token, conv(s));
            }

            if (!char.IsLetter(token[0]) && token[0] != '_')
            {
                throw new CelException($"unexpected token '{token}'");
            }

            if (token == "oldSelf")
            {
                UsesOldSelf = true;
            }

            return s => s.Get(token);
        }

        private Func<Scope, object?> ParseHas()
        {
            Expect("(");
            var start = _pos;
            var target = ParsePrimary();
            var path = new List<string>();
            while (Peek == ".")
            {
                _pos++;
                path.Add(Unescape(tokens[_pos++]));
            }

            Expect(")");
            if (path.Count == 0 || _pos == start)
            {
                throw new CelException("has() needs a field selection");
            }

            return s =>
            {
                var current = target(s);
                for (var i = 0; i < path.Count - 1; i++)
                {
                    current = Member(current, path[i]);
                }

                return current is JsonObject o && o.ContainsKey(path[^1]);
            };
        }

        private void Expect(string token)
        {
            if (Peek != token)
            {
                throw new CelException($"expected '{token}' but found '{Peek}'");
            }

            _pos++;
        }
    }

    /// <summary>CEL escapes reserved words and odd characters in property names (__namespace__, __dash__...).</summary>
    private static string Unescape(string ident)
    {
        if (ident.Length > 4 && ident.StartsWith("__", StringComparison.Ordinal) && ident.EndsWith("__", StringComparison.Ordinal)
            && !ident[2..^2].Contains("__", StringComparison.Ordinal))
        {
            return ident[2..^2];
        }

        return ident.Replace("__dash__", "-", StringComparison.Ordinal).Replace("__dot__", ".", StringComparison.Ordinal)
            .Replace("__slash__", "/", StringComparison.Ordinal).Replace("__underscores__", "__", StringComparison.Ordinal);
    }

    private static bool Truthy(object? value) => value is bool b ? b : throw new CelException("no matching overload: expected bool");

    private static object? Member(object? target, string name)
    {
        if (target is JsonObject o)
        {
            return o.TryGetPropertyValue(name, out var v) ? FromJson(v) : throw new CelException($"no such key: {name}");
        }

        throw new CelException($"no such key: {name}");
    }

    private static object? Index(object? target, object? index) => target switch
    {
        List<object?> list when index is long i && i >= 0 && i < list.Count => list[(int)i],
        JsonObject o when index is string key => o.TryGetPropertyValue(key, out var v) ? FromJson(v) : throw new CelException($"no such key: {key}"),
        _ => throw new CelException("index out of range"),
    };

    private static List<object?> Items(object? value) => value switch
    {
        List<object?> list => list,
        JsonObject o => o.Select(kv => (object?)kv.Key).ToList(),
        _ => throw new CelException("no matching overload for macro"),
    };

    private static long Size(object? value) => value switch
    {
        string s => s.Length,
        List<object?> l => l.Count,
        JsonObject o => o.Count,
        _ => throw new CelException("no matching overload for size"),
    };

    private static string AsString(object? value) => value as string ?? throw new CelException("no matching overload: expected string");

    private static object? Convert(string type, object? value) => type switch
    {
        "int" => value switch { long l => l, double d => (long)d, string s => long.Parse(s, CultureInfo.InvariantCulture), _ => throw new CelException("bad int conversion") },
        "double" => value switch { long l => (double)l, double d => d, string s => double.Parse(s, CultureInfo.InvariantCulture), _ => throw new CelException("bad double conversion") },
        _ => value switch { string s => s, long l => l.ToString(CultureInfo.InvariantCulture), double d => d.ToString(CultureInfo.InvariantCulture), bool b => b ? "true" : "false", _ => throw new CelException("bad string conversion") },
    };

    private static bool ValueEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => ValueEquals(p.First, p.Second)),
        (JsonObject x, JsonObject y) => JsonNode.DeepEquals(x, y),
        _ => Equals(a, b),
    };

    private static bool In(object? item, object? container) => container switch
    {
        List<object?> list => list.Any(i => ValueEquals(i, item)),
        JsonObject o when item is string key => o.ContainsKey(key),
        _ => throw new CelException("no matching overload for 'in'"),
    };

    private static bool CompareOp(string op, object? a, object? b)
    {
        int cmp = (a, b) switch
        {
            (long x, long y) => x.CompareTo(y),
            (double x, double y) => x.CompareTo(y),
            (long x, double y) => ((double)x).CompareTo(y),
            (double x, long y) => x.CompareTo(y),
            (string x, string y) => string.CompareOrdinal(x, y),
            _ => throw new CelException($"no matching overload for '{op}'"),
        };
        return op switch { "<" => cmp < 0, "<=" => cmp <= 0, ">" => cmp > 0, _ => cmp >= 0 };
    }

    private static object? Arithmetic(string op, object? a, object? b) => (op, a, b) switch
    {
        ("+", string x, string y) => x + y,
        ("+", List<object?> x, List<object?> y) => x.Concat(y).ToList(),
        ("+", long x, long y) => x + y,
        ("-", long x, long y) => x - y,
        ("*", long x, long y) => x * y,
        ("/", long x, long y) when y != 0 => x / y,
        ("%", long x, long y) when y != 0 => x % y,
        ("+", double x, double y) => x + y,
        ("-", double x, double y) => x - y,
        ("*", double x, double y) => x * y,
        ("/", double x, double y) => x / y,
        _ => throw new CelException($"no matching overload for '{op}'"),
    };
}
