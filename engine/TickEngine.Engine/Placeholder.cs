namespace TickEngine.Engine; internal static class Placeholder { }
