namespace DataMover.Operator.Tests.Support.PromQl;

/// <summary>
/// A recursive-descent PromQL parser, enough for alert rules and dashboards: selectors with matchers, range vectors,
/// subqueries, offsets and @, functions, aggregations with by/without, binary operators with precedence, bool,
/// on/ignoring and group_left/group_right. It checks the syntax (unknown functions included) and collects the metric
/// names the expression reads; malformed input throws <see cref="FormatException"/>.
/// </summary>
internal sealed class PromQlParser
{
    private static readonly HashSet<string> Aggregations =
        ["sum", "min", "max", "avg", "count", "stddev", "stdvar", "group", "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"];

    private static readonly HashSet<string> ParameterAggregations = ["topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"];

    private static readonly HashSet<string> Functions =
    [
        "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "day_of_month", "day_of_week",
        "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor", "histogram_quantile", "histogram_count", "histogram_sum",
        "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "ln", "log2", "log10", "minute", "month",
        "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector", "year",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time",
        "stdvar_over_time", "last_over_time", "present_over_time",
    ];

    /// <summary>Lowest precedence first; ^ binds right.</summary>
    private static readonly string[][] Levels =
    [
        ["or"], ["and", "unless"], ["==", "!=", ">", "<", ">=", "<="], ["+", "-"], ["*", "/", "%", "atan2"], ["^"],
    ];

    private readonly List<PromQlToken> _tokens;
    private readonly HashSet<string> _metrics = new(StringComparer.Ordinal);
    private int _at;

    private PromQlParser(string text) => _tokens = PromQlLexer.Tokenize(text);

    /// <summary>The metric names <paramref name="expression"/> reads; throws when it is not valid PromQL.</summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var parser = new PromQlParser(expression);
        parser.Expression(0);
        parser.Expect(PromQlTokenKind.End, "end of expression");
        return parser._metrics;
    }

    private PromQlToken Current => _tokens[_at];

    private void Expression(int level)
    {
        if (level == Levels.Length)
        {
            Unary();
            return;
        }

        Expression(level + 1);
        while (IsBinaryOperator(Levels[level]))
        {
            var op = Next().Text;
            if (Current is { Kind: PromQlTokenKind.Identifier, Text: "bool" })
            {
                if (level != 2)
                {
                    throw Error("bool only modifies a comparison");
                }

                Next();
            }

            if (Current is { Kind: PromQlTokenKind.Identifier, Text: "on" or "ignoring" })
            {
                Next();
                LabelList();
                if (Current is { Kind: PromQlTokenKind.Identifier, Text: "group_left" or "group_right" })
                {
                    Next();
                    if (Current.Kind == PromQlTokenKind.LeftParen)
                    {
                        LabelList();
                    }
                }
            }

            // ^ is right-associative: its right side is parsed at its own level.
            Expression(op == "^" ? level : level + 1);
        }
    }

    private bool IsBinaryOperator(string[] ops) =>
        (Current.Kind == PromQlTokenKind.Operator || Current.Kind == PromQlTokenKind.Identifier) && ops.Contains(Current.Text) && Current.Text != "=";

    private void Unary()
    {
        if (Current is { Kind: PromQlTokenKind.Operator, Text: "-" or "+" })
        {
            Next();
        }

        Postfix();
    }

    private void Postfix()
    {
        var isVector = Primary();
        while (true)
        {
            if (Current.Kind == PromQlTokenKind.LeftBracket)
            {
                Next();
                Expect(PromQlTokenKind.Duration, "a duration");
                if (Current.Kind == PromQlTokenKind.Colon)
                {
                    Next();
                    if (Current.Kind == PromQlTokenKind.Duration)
                    {
                        Next();
                    }
                }
                else if (!isVector)
                {
                    throw Error("a range needs a vector selector (or a subquery with ':')");
                }

                Expect(PromQlTokenKind.RightBracket, "']'");
                isVector = false;
            }
            else if (Current is { Kind: PromQlTokenKind.Identifier, Text: "offset" })
            {
                Next();
                if (Current is { Kind: PromQlTokenKind.Operator, Text: "-" })
                {
                    Next();
                }

                Expect(PromQlTokenKind.Duration, "a duration after offset");
            }
            else if (Current.Kind == PromQlTokenKind.At)
            {
                Next();
                if (Current is { Kind: PromQlTokenKind.Identifier, Text: "start" or "end" })
                {
                    Next();
                    Expect(PromQlTokenKind.LeftParen, "'('");
                    Expect(PromQlTokenKind.RightParen, "')'");
                }
                else
                {
                    Expect(PromQlTokenKind.Number, "a timestamp after @");
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Parses one operand; true when it is a plain vector selector (the only thing a range may follow).</summary>
    private bool Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case PromQlTokenKind.Number:
            case PromQlTokenKind.String:
                Next();
                return false;
            case PromQlTokenKind.LeftParen:
                Next();
                Expression(0);
                Expect(PromQlTokenKind.RightParen, "')'");
                return false;
            case PromQlTokenKind.LeftBrace:
                Matchers(requireName: true);
                return true;
            case PromQlTokenKind.Identifier:
                break;
            default:
                throw Error($"unexpected '{token.Text}'");
        }

        Next();
        if (Aggregations.Contains(token.Text) && (Current.Kind == PromQlTokenKind.LeftParen || Current is { Kind: PromQlTokenKind.Identifier, Text: "by" or "without" }))
        {
            Aggregation(token.Text);
            return false;
        }

        if (Current.Kind == PromQlTokenKind.LeftParen)
        {
            if (!Functions.Contains(token.Text))
            {
                throw new FormatException($"unknown function '{token.Text}' at {token.Position}");
            }

            Next();
            if (Current.Kind != PromQlTokenKind.RightParen)
            {
                Expression(0);
                while (Current.Kind == PromQlTokenKind.Comma)
                {
                    Next();
                    Expression(0);
                }
            }

            Expect(PromQlTokenKind.RightParen, "')'");
            return false;
        }

        if (token.Text is "by" or "without" or "on" or "ignoring" or "group_left" or "group_right" or "bool" or "offset" or "and" or "or" or "unless")
        {
            throw new FormatException($"keyword '{token.Text}' where an expression belongs, at {token.Position}");
        }

        _metrics.Add(token.Text);
        if (Current.Kind == PromQlTokenKind.LeftBrace)
        {
            Matchers(requireName: false);
        }

        return true;
    }

    private void Aggregation(string name)
    {
        if (Current is { Kind: PromQlTokenKind.Identifier, Text: "by" or "without" })
        {
            Next();
            LabelList();
        }

        Expect(PromQlTokenKind.LeftParen, "'('");
        if (ParameterAggregations.Contains(name))
        {
            Expression(0);
            Expect(PromQlTokenKind.Comma, "',' after the parameter");
        }

        Expression(0);
        Expect(PromQlTokenKind.RightParen, "')'");
        if (Current is { Kind: PromQlTokenKind.Identifier, Text: "by" or "without" })
        {
            Next();
            LabelList();
        }
    }

    private void LabelList()
    {
        Expect(PromQlTokenKind.LeftParen, "'('");
        while (Current.Kind == PromQlTokenKind.Identifier)
        {
            Next();
            if (Current.Kind != PromQlTokenKind.Comma)
            {
                break;
            }

            Next();
        }

        Expect(PromQlTokenKind.RightParen, "')'");
    }

    private void Matchers(bool requireName)
    {
        Expect(PromQlTokenKind.LeftBrace, "'{'");
        var named = false;
        while (Current.Kind == PromQlTokenKind.Identifier)
        {
            var label = Next().Text;
            if (Current.Kind != PromQlTokenKind.Operator || Current.Text is not ("=" or "!=" or "=~" or "!~"))
            {
                throw Error("a matcher operator (=, !=, =~, !~)");
            }

            var op = Next().Text;
            var value = Expect(PromQlTokenKind.String, "a quoted label value").Text;
            if (label == "__name__" && op == "=")
            {
                _metrics.Add(value);
                named = true;
            }

            if (Current.Kind != PromQlTokenKind.Comma)
            {
                break;
            }

            Next();
        }

        Expect(PromQlTokenKind.RightBrace, "'}'");
        if (requireName && !named)
        {
            throw Error("a selector without a metric name needs __name__=\"...\" here");
        }
    }

    private PromQlToken Next() => _tokens[_at++];

    private PromQlToken Expect(PromQlTokenKind kind, string what) =>
        Current.Kind == kind ? Next() : throw Error($"expected {what}, found '{Current.Text}'");

    private FormatException Error(string message) => new($"{message} at {Current.Position}");
}
