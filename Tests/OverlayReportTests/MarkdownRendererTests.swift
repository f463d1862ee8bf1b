import Testing
@testable import OverlayReport

/// Golden snippets: the exact Markdown of each block kind.
@Suite("Markdown renderer")
struct MarkdownRendererTests {
    func render(_ blocks: [ReportBlock], title: String = "T") -> String {
        MarkdownRenderer().render(ReportDocument(title: title, blocks: blocks))
    }

    /// The document minus its `# T` title line and the blank line after it.
    func body(_ blocks: [ReportBlock]) -> String {
        let text = render(blocks)
        #expect(text.hasPrefix("# T\n\n"))
        return String(text.dropFirst("# T\n\n".count))
    }

    @Test("paragraph with every inline kind")
    func paragraph() {
        let md = body([.paragraph([
            "Flow ", .code("10.1.10.11"), " is ", .strong("routed"), " and ", .emphasis("asymmetric"), "; see ",
            .link("flow 2", anchor: "flow-2"), " (", .frameRef([18, 12, 13, 12]), "): ",
            .path([.init("VM web-01", detail: "10.1.10.11"), "Geneve VNI 69632", "TEP esxi-02"]),
        ])])
        #expect(md == "Flow `10.1.10.11` is **routed** and *asymmetric*; see [flow 2](#flow-2) (frames 12, 13, 18): "
            + "VM web-01 (10.1.10.11) → Geneve VNI 69632 → TEP esxi-02\n")
    }

    @Test("frame references: one, several, none")
    func frameReferences() {
        #expect(body([.paragraph([.frameRef([7])])]) == "frame 7\n")
        #expect(body([.paragraph([.frameRef([3, 1, 2])])]) == "frames 1, 2, 3\n")
        #expect(body([.paragraph([.frameRef([])])]) == "no frames\n")
    }

    @Test("strong and emphasis keep spaces outside the delimiters; empty ones vanish")
    func delimiterSpacing() {
        #expect(body([.paragraph(["a", .strong(" b "), "c", .emphasis(""), .strong([" "]), "d"])]) == "a **b** c d\n")
    }

    @Test("links do not nest")
    func nestedLinks() {
        #expect(body([.paragraph([.link([.text("a "), .link("b", anchor: "x")], anchor: "y")])]) == "[a b](#y)\n")
    }

    @Test("bullet list")
    func bulletList() {
        let md = body([.bulletList([["east-west: ", .strong("2")], ["- not a nested item"], ["3. not numbered"]])])
        #expect(md == "- east-west: **2**\n- \\- not a nested item\n- 3\\. not numbered\n")
    }

    @Test("headings: GitHub slugs need no markup, explicit anchors get an <a id> target, repeats are numbered")
    func headings() {
        let md = render([
            .heading(2, "Summary"),
            .heading(level: 3, text: ["Flow 1 · tcp ", .code("10.1.10.11:51544")], anchor: "flow-1"),
            .heading(2, "Summary"),
            .heading(7, "deep"),
        ], title: "Report: a.pcap")
        #expect(md == """
        # Report: a.pcap

        ## Summary

        <a id="flow-1"></a>

        ### Flow 1 · tcp `10.1.10.11:51544`

        ## Summary

        ###### deep

        """)
        let html = HTMLRenderer().render(ReportDocument(title: "Report: a.pcap", blocks: [
            .heading(2, "Summary"), .heading(level: 3, text: ["x"], anchor: "flow-1"), .heading(2, "Summary"),
        ]))
        #expect(html.contains("<h1 id=\"report-apcap\">"))
        #expect(html.contains("<h2 id=\"summary\">"))
        #expect(html.contains("<h3 id=\"flow-1\">"))
        #expect(html.contains("<h2 id=\"summary-1\">"), "the second 'Summary' gets GitHub's -1 suffix")
    }

    @Test("GitHub's slug algorithm")
    func githubSlugs() {
        #expect(AnchorAllocator.githubSlug("Flow 1 · tcp 10.1.10.11:51544 → 10.1.10.12:80") == "flow-1--tcp-101101151544--101101280")
        #expect(AnchorAllocator.githubSlug("Segment ls_web (VNI 69632)") == "segment-ls_web-vni-69632")
        #expect(AnchorAllocator.githubSlug("Überblick") == "überblick")
        var anchors = AnchorAllocator()
        #expect(anchors.claim(explicit: nil, text: "A").id == "a")
        #expect(anchors.claim(explicit: nil, text: "A").id == "a-1")
        #expect(anchors.claim(explicit: "a-1", text: "B").id == "a-1-2", "an explicit anchor never duplicates an id")
        #expect(anchors.claim(explicit: "x\"><script>", text: "C").id == "x---script-")
        #expect(anchors.claim(explicit: nil, text: "!!!").id == "section")
        #expect(AnchorAllocator.sanitize("Überblick (VNI 5)") == "Überblick--VNI-5-")
        #expect(AnchorAllocator.sanitize("überblick") == AnchorAllocator.githubSlug("Überblick"),
                "a link may name a Unicode heading's slug")
    }

    @Test("pipe table: padded, aligned, short rows filled, long rows add a column")
    func table() {
        var table = ReportTable(header: ["TEP", "VNI", "Packets"], alignments: [.left, .center, .right])
        table.addRow([.strong("esxi-01"), .code("69632"), "1234"])
        table.addRow(["edge-01"])
        table.addRow(["a", "b", "c", "extra"])
        #expect(body([.table(table)]) == """
        | TEP         |   VNI   | Packets |       |
        | :---------- | :-----: | ------: | ----- |
        | **esxi-01** | `69632` |    1234 |       |
        | edge-01     |         |         |       |
        | a           |    b    |       c | extra |

        """)
    }

    @Test("table cells escape pipes, also inside code spans")
    func tablePipes() {
        let table = ReportTable(header: ["a|b"], rows: [[.code("x | y")], [.text("\\|")]])
        #expect(body([.table(table)]) == """
        | a\\|b     |
        | -------- |
        | `x \\| y` |
        | \\\\\\|     |

        """)
    }

    @Test("padding stops at the width cap")
    func tablePaddingCap() {
        let long = String(repeating: "x", count: 50)
        let table = ReportTable(header: ["h"], rows: [[.text(long)], ["y"]])
        let lines = MarkdownRenderer(maxPaddedColumnWidth: 10).render(ReportDocument(title: "T", blocks: [.table(table)]))
            .split(separator: "\n")
        #expect(lines[1] == "| h          |")
        #expect(lines[3] == "| \(long) |")
        #expect(lines[4] == "| y          |")
    }

    @Test("empty paragraphs and lists leave no stray blank lines")
    func emptyProse() {
        #expect(render([.paragraph([]), .paragraph(["  "]), .bulletList([]), .paragraph(["x"])]) == "# T\n\nx\n")
    }

    @Test("an empty table renders nothing")
    func emptyTable() {
        #expect(render([.table(ReportTable(header: []))]) == "# T\n")
    }

    @Test("code block: the fence outgrows backtick runs in the content; language is sanitized")
    func codeBlock() {
        #expect(body([.code(language: "text", text: "a\nb")]) == "```text\na\nb\n```\n")
        #expect(body([.code(language: "js` onload", text: "x ```` y\n")]) == "`````jsonload\nx ```` y\n`````\n")
        #expect(body([.code(language: nil, text: "")]) == "```\n```\n")
        #expect(body([.code(language: nil, text: "a\r\nb\rc\u{1B}[0m")]) == "```\na\nb\nc\u{FFFD}[0m\n```\n")
    }

    @Test("callouts are GitHub alerts")
    func callouts() {
        #expect(body([.callout(.info, ["one"]), .callout(.warning, ["two"]), .callout(.error, ["three"])]) == """
        > [!NOTE]
        > one

        > [!WARNING]
        > two

        > [!CAUTION]
        > three

        """)
    }

    @Test("sections are a heading and their blocks (folding is an HTML matter)")
    func section() {
        let md = body([.section(ReportSection(level: 3, title: ["Flow 7"], anchor: "flow-7",
                                              blocks: [.paragraph(["body"])], collapsible: true, open: false))])
        #expect(md == "### Flow 7\n\nbody\n", "the anchor equals GitHub's slug, so no <a id> is needed")
        let other = body([.section(ReportSection(level: 3, title: ["Flow 7"], anchor: "f7", blocks: []))])
        #expect(other == "<a id=\"f7\"></a>\n\n### Flow 7\n")
    }

    @Test("topology becomes a Mermaid flowchart")
    func mermaid() {
        let diagram = TopologyDiagram(
            nodes: [
                .init(id: "172.20.11.51", kind: .tep, label: "esxi-01", sublabel: "172.20.11.51"),
                .init(id: "172.20.11.100", kind: .edge, label: "edge-01"),
                .init(id: "vni-69632", kind: .segment, label: "web"),
                .init(id: "end", kind: .workload, label: "web-01"),
            ],
            edges: [
                .init(from: "172.20.11.51", to: "172.20.11.100", label: "VNI 71680", style: .tunnel),
                .init(from: "vni-69632", to: "172.20.11.51", style: .membership, directed: true),
                .init(from: "172.20.11.100", to: "nowhere", style: .uplink),
            ])
        #expect(body([.topology(diagram)]) == """
        ```mermaid
        flowchart LR
          tep_172_20_11_51["esxi-01<br/><small>172.20.11.51</small>"]:::tep
          edgenode_172_20_11_100[["edge-01"]]:::edge
          seg_vni_69632(["web"]):::segment
          wl_end("web-01"):::workload
          tep_172_20_11_51 ===|"VNI 71680"| edgenode_172_20_11_100
          seg_vni_69632 -.-> tep_172_20_11_51
          classDef tep fill:#dbeafe,stroke:#1d4ed8,color:#0b1f4d
          classDef edge fill:#ffedd5,stroke:#c2410c,color:#431407
          classDef segment fill:#dcfce7,stroke:#15803d,color:#052e16
          classDef workload fill:#f3f4f6,stroke:#4b5563,color:#111827
        ```

        """)
        #expect(render([.topology(TopologyDiagram())]) == "# T\n", "an empty diagram renders nothing")
    }

    @Test("Mermaid ids stay unique after sanitizing")
    func mermaidIDs() {
        let ids = MermaidRenderer.mermaidIDs(for: [
            .init(id: "a.b", kind: .tep, label: ""), .init(id: "a-b", kind: .tep, label: ""),
            .init(id: "a_b", kind: .tep, label: ""), .init(id: "", kind: .tep, label: ""),
        ])
        #expect(ids == ["tep_a_b", "tep_a_b_2", "tep_a_b_3", "tep_"])
    }

    @Test("the full sample: one title, blocks separated by one blank line, one trailing newline, deterministic")
    func fullDocument() {
        let doc = SampleDocument.document()
        let md = MarkdownRenderer().render(doc)
        #expect(md == MarkdownRenderer().render(doc))
        #expect(md.hasPrefix("# OverlayTrace report: routed.pcap\n\n"))
        #expect(md.hasSuffix("show it.\n"))
        #expect(!md.contains("\n\n\n"))
        #expect(md.components(separatedBy: "\n# ").count == 1, "only the title is a level-1 heading")
    }
}
