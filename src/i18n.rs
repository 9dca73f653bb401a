//! Every string the app shows, in English and Swedish (seed 002 is the
//! Swedish article), from one catalog.
//!
//! Components look strings up with `t("key")` (see [`use_t`]). A native test
//! fails when a key lacks a translation, when two entries share a key, or
//! when the source uses a key the catalog does not have. Engine messages
//! (refusals) stay in English, as Azure's own error messages do.

use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Sv,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
        }
    }
}

/// A simulated time as people read it, in `lang`'s own format:
/// "Mon 5 Jan 2026, 10:00:00 UTC" / "mån 5 jan. 2026 10:00:00 UTC". The raw
/// ARM timestamp is for where Azure itself prints one (JSON, tables).
pub fn readable_time(lang: Lang, at: snaplab_engine::clock::Instant) -> String {
    let (y, mo, d, wd, ms) = at.parts();
    let (h, mi, sec) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60);
    let m = (mo as usize).saturating_sub(1).min(11);
    let w = (wd as usize).min(6);
    match lang {
        Lang::En => {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            format!(
                "{} {d} {} {y}, {h:02}:{mi:02}:{sec:02} UTC",
                DAYS[w], MONTHS[m]
            )
        }
        Lang::Sv => {
            const DAYS: [&str; 7] = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"];
            const MONTHS: [&str; 12] = [
                "jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.",
                "nov.", "dec.",
            ];
            format!(
                "{} {d} {} {y} {h:02}:{mi:02}:{sec:02} UTC",
                DAYS[w], MONTHS[m]
            )
        }
    }
}

/// A number as `lang` writes it: 1,234.5678 in English, 1 234,5678 in
/// Swedish (a narrow no-break space groups thousands, a comma is the decimal sign).
pub fn number(lang: Lang, value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let (group, point) = match lang {
        Lang::En => (",", "."),
        Lang::Sv => ("\u{202f}", ","),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

/// (key, English, Swedish).
pub const CATALOG: &[(&str, &str, &str)] = &[
    ("app.tagline", "Azure managed-disk incremental snapshots, simulated in your browser", "Stegvisa ögonblicksbilder av Azure-hanterade diskar, simulerade i din webbläsare"),
    ("app.footer", "Engine: snaplab-engine, compiled to WebAssembly; your lab is kept in this browser (IndexedDB). No Azure account is used.", "Motor: snaplab-engine, kompilerad till WebAssembly; ditt labb sparas i den här webbläsaren (IndexedDB). Inget Azure-konto används."),
    ("app.loading", "Opening your lab…", "Öppnar ditt labb…"),
    ("app.failed", "Your stored lab could not be opened", "Ditt sparade labb kunde inte öppnas"),
    ("app.letGo", "This tab let go of your lab", "Den här fliken släppte ditt labb"),
    ("app.reload", "Reload this tab", "Ladda om fliken"),
    ("app.blocked", "Waiting for another Snaplab tab: it has an older version of the lab open. Close or reload that tab to continue.", "Väntar på en annan Snaplab-flik: den har en äldre version av labbet öppen. Stäng eller ladda om den fliken för att fortsätta."),
    ("app.upgradedElsewhere", "A newer Snaplab opened this lab in another tab, so this tab let go of it. Reload this tab to continue with the lab as it is now.", "En nyare Snaplab öppnade labbet i en annan flik, så den här fliken släppte det. Ladda om fliken för att fortsätta med labbet som det är nu."),
    ("app.deletedElsewhere", "The lab's stored data was deleted in another tab (or by clearing site data). Reload this tab to start a new lab.", "Labbets sparade data raderades i en annan flik (eller genom att webbplatsdata rensades). Ladda om fliken för att börja ett nytt labb."),
    ("app.language", "Language", "Språk"),
    ("clock.label", "Simulated clock", "Simulerad klocka"),
    ("clock.time", "Simulated time", "Simulerad tid"),
    ("clock.play", "Play", "Spela"),
    ("clock.pause", "Pause", "Pausa"),
    ("clock.speed", "Speed", "Hastighet"),
    ("clock.saving", "saving…", "sparar…"),
    ("disk.title", "Disk", "Disk"),
    ("tree.title", "Resources", "Resurser"),
    ("phone.bar", "Resources and console", "Resurser och konsol"),
    ("phone.console", "Console", "Konsol"),
    ("phone.closeConsole", "Close the console", "Stäng konsolen"),
    ("map.summary", "Disk {disk}: {ranges} written ranges, {used} in use; {changed} changed since {since}.", "Disk {disk}: {ranges} skrivna områden, {used} används; {changed} ändrat sedan {since}."),
    ("map.sinceSnapshot", "snapshot {name}", "ögonblicksbilden {name}"),
    ("map.sinceCreated", "it was created", "den skapades"),
    ("chain.summary", "Snapshot chain, oldest first:", "Ögonblicksbildskedjan, äldst först:"),
    ("chain.holds", "{name} ({kind}) holds {used}", "{name} ({kind}) håller {used}"),
    ("chain.pending", "for the next incremental snapshot: {used}", "till nästa stegvisa ögonblicksbild: {used}"),
    ("map.tapAgain", "tap again to zoom in", "tryck igen för att zooma in"),
    ("tree.incremental", "incremental", "stegvis"),
    ("tree.full", "full", "fullständig"),
    ("tree.running", "running", "körs"),
    ("tree.deallocated", "deallocated", "frigjord"),
    ("tree.empty", "No disk yet: create one under More → Resources.", "Ingen disk än: skapa en under Mer → Resurser."),
    ("tabs.label", "Views", "Vyer"),
    ("tabs.snapshots", "Snapshots", "Ögonblicksbilder"),
    ("tabs.diff", "Diff", "Diff"),
    ("tabs.billing", "Billing", "Fakturering"),
    ("tabs.violations", "Violations", "Överträdelser"),
    ("tabs.history", "History", "Historik"),
    ("tabs.lessons", "Lessons", "Lektioner"),
    ("tabs.more", "More", "Mer"),
    ("notify.title", "Notifications", "Aviseringar"),
    ("notify.none", "No notifications yet.", "Inga aviseringar än."),
    ("dock.resize", "Drag to resize the console", "Dra för att ändra konsolens storlek"),
    ("chain.title", "Snapshot chain: the pages each snapshot holds", "Ögonblicksbildskedjan: sidorna varje ögonblicksbild håller"),
    ("chain.none", "No snapshot of this disk yet.", "Ingen ögonblicksbild av disken än."),
    ("chain.disk", "disk now", "disken nu"),
    ("disk.size", "Size", "Storlek"),
    ("disk.pages", "512-byte pages", "Sidor à 512 byte"),
    ("disk.sku", "SKU", "SKU"),
    ("disk.region", "Region", "Region"),
    ("disk.used", "Used (written pages)", "Använt (skrivna sidor)"),
    ("disk.ranges", "Written ranges", "Skrivna intervall"),
    ("disk.changed", "Changed since last incremental snapshot", "Ändrat sedan senaste stegvisa ögonblicksbild"),
    ("disk.state", "diskState", "diskState"),
    ("disk.write1", "Write 1 MiB", "Skriv 1 MiB"),
    ("disk.write64", "Write 64 MiB", "Skriv 64 MiB"),
    ("disk.writeGiB", "Write 10 GiB", "Skriv 10 GiB"),
    ("disk.rewrite", "Rewrite identical data", "Skriv om identiska data"),
    ("disk.random", "Random writes", "Slumpmässiga skrivningar"),
    ("disk.trim", "TRIM last 1 MiB", "TRIM av sista 1 MiB"),
    ("disk.text", "Text to write", "Text att skriva"),
    ("disk.writeText", "Write text", "Skriv text"),
    ("disk.createSnapshot", "Create snapshot", "Skapa ögonblicksbild"),
    ("disk.more", "More actions: workloads at an offset, resize, SAS, your own text", "Fler åtgärder: arbetslaster på en position, storleksändring, SAS, egen text"),
    ("disk.delete", "Delete disk", "Ta bort disk"),
    ("disk.new", "Create disk", "Skapa disk"),
    ("disk.name", "Name", "Namn"),
    ("disk.sizeGib", "Size (GiB)", "Storlek (GiB)"),
    ("disk.sectorSize", "Logical sector size", "Logisk sektorstorlek"),
    ("wizard.title", "Create snapshot", "Skapa ögonblicksbild"),
    ("wizard.basics", "Basics", "Grundläggande"),
    ("wizard.resourceGroup", "Resource group", "Resursgrupp"),
    ("wizard.name", "Name", "Namn"),
    ("wizard.snapshotType", "Snapshot type", "Typ av ögonblicksbild"),
    ("wizard.full", "Full", "Fullständig"),
    ("wizard.incremental", "Incremental", "Stegvis"),
    ("wizard.sourceDisk", "Source disk", "Källdisk"),
    ("wizard.storageType", "Storage type", "Lagringstyp"),
    ("wizard.review", "Review + create", "Granska + skapa"),
    ("wizard.validation", "Validation passed", "Valideringen lyckades"),
    ("wizard.create", "Create", "Skapa"),
    ("wizard.creating", "Creating…", "Skapar…"),
    ("wizard.previous", "Previous", "Föregående"),
    ("wizard.cancel", "Cancel", "Avbryt"),
    ("map.title", "Block map", "Blockkarta"),
    ("map.legend", "Legend", "Förklaring"),
    ("map.never", "Never written", "Aldrig skriven"),
    ("map.snapshotted", "Written, in a snapshot", "Skriven, i en ögonblicksbild"),
    ("map.changed", "Changed since last snapshot", "Ändrad sedan senaste ögonblicksbild"),
    ("map.cleared", "Cleared (TRIM)", "Rensad (TRIM)"),
    ("map.zoomIn", "Zoom in", "Zooma in"),
    ("map.toData", "Zoom to data", "Zooma till data"),
    ("map.diffPage", "In the diff: PageRange (written)", "I diffen: PageRange (skrivet)"),
    ("map.diffClear", "ClearRange (cleared)", "ClearRange (rensat)"),
    ("map.minimap", "The whole disk: where its data is, and the part the map shows (click to go there)", "Hela disken: var dess data finns och vilken del kartan visar (klicka för att gå dit)"),
    ("map.zoomOut", "Zoom out", "Zooma ut"),
    ("map.whole", "Whole disk", "Hela disken"),
    ("map.left", "Pan left", "Panorera vänster"),
    ("map.right", "Pan right", "Panorera höger"),
    ("map.view", "Showing", "Visar"),
    ("map.cell", "Each cell", "Varje cell"),
    ("snapshots.title", "Snapshots", "Ögonblicksbilder"),
    ("snapshots.none", "No snapshots yet: create one from a disk.", "Inga ögonblicksbilder än: skapa en från en disk."),
    ("snapshots.family", "Family", "Familj"),
    ("snapshots.name", "Name", "Namn"),
    ("snapshots.type", "Type", "Typ"),
    ("snapshots.source", "Source disk", "Källdisk"),
    ("snapshots.used", "Used size", "Använd storlek"),
    ("snapshots.quantity", "Daily quantity (GiB/31)", "Daglig mängd (GiB/31)"),
    ("snapshots.created", "timeCreated", "timeCreated"),
    ("snapshots.completion", "completionPercent", "completionPercent"),
    ("snapshots.actions", "Actions", "Åtgärder"),
    ("snapshots.restore", "Restore", "Återställ"),
    ("snapshots.delete", "Delete", "Ta bort"),
    ("snapshots.show", "Show", "Visa"),
    ("snapshots.grant", "Grant SAS", "Bevilja SAS"),
    ("snapshots.revoke", "Revoke SAS", "Återkalla SAS"),
    ("snapshots.json", "Properties (az snapshot show)", "Egenskaper (az snapshot show)"),
    ("diff.title", "Diff two snapshots", "Jämför två ögonblicksbilder"),
    ("diff.newer", "Newer snapshot", "Nyare ögonblicksbild"),
    ("diff.older", "Previous snapshot (prevsnapshot)", "Föregående ögonblicksbild (prevsnapshot)"),
    ("diff.none", "(none: plain page ranges)", "(ingen: vanliga sidintervall)"),
    ("diff.run", "Get page ranges", "Hämta sidintervall"),
    ("diff.ranges", "ranges", "intervall"),
    ("diff.written", "written", "skrivet"),
    ("diff.cleared", "cleared", "rensat"),
    ("diff.format", "Format", "Format"),
    ("billing.title", "Billing", "Fakturering"),
    ("billing.sample", "Sample prices for teaching, not Azure's current list prices", "Exempelpriser för undervisning, inte Azures aktuella listpriser"),
    ("billing.perDay", "Cost per day", "Kostnad per dag"),
    ("billing.perMonth", "Cost per month", "Kostnad per månad"),
    ("billing.asFull", "The same snapshots as full snapshots", "Samma ögonblicksbilder som fullständiga"),
    ("billing.saving", "Saved a month by incremental snapshots", "Besparing per månad med stegvisa ögonblicksbilder"),
    ("billing.history", "Cost per day over simulated time", "Kostnad per dag över simulerad tid"),
    ("violations.title", "Violations", "Överträdelser"),
    ("violations.none", "No refused operations yet.", "Inga nekade åtgärder än."),
    ("violations.time", "Time", "Tid"),
    ("violations.code", "Code", "Kod"),
    ("violations.rule", "Rule", "Regel"),
    ("violations.message", "Message", "Meddelande"),
    ("storage.title", "Browser storage", "Webbläsarens lagring"),
    ("storage.usage", "Used by this site", "Används av den här webbplatsen"),
    ("storage.persistent", "Persistent", "Beständig"),
    ("storage.log", "Operations in the log", "Åtgärder i loggen"),
    ("storage.export", "Export lab", "Exportera labb"),
    ("storage.import", "Import lab", "Importera labb"),
    ("storage.reset", "Reset lab", "Återställ labb"),
    ("storage.resetConfirm", "Reset the lab? Every disk, snapshot and byte stored in this browser is deleted.", "Återställa labbet? Alla diskar, ögonblicksbilder och byte som sparats i den här webbläsaren tas bort."),
    ("storage.yes", "yes", "ja"),
    ("storage.no", "no (the browser may evict it under pressure)", "nej (webbläsaren kan rensa den vid platsbrist)"),
    ("storage.unknown", "unknown", "okänt"),
    ("manage.title", "Resources", "Resurser"),
    ("manage.group", "Create resource group", "Skapa resursgrupp"),
    ("manage.disk", "Create disk", "Skapa disk"),
    ("manage.vm", "Create virtual machine", "Skapa virtuell dator"),
    ("manage.name", "Name", "Namn"),
    ("manage.region", "Region", "Region"),
    ("manage.group.label", "Resource group", "Resursgrupp"),
    ("manage.sku", "Disk type (SKU)", "Disktyp (SKU)"),
    ("manage.size", "Size (GiB)", "Storlek (GiB)"),
    ("manage.sector", "Logical sector size", "Logisk sektorstorlek"),
    ("manage.create", "Create", "Skapa"),
    ("manage.feature", "Premium SSD v2 / Ultra snapshot access (rule C1)", "Åtkomst till ögonblicksbilder av Premium SSD v2 / Ultra (regel C1)"),
    ("manage.vms", "Virtual machines", "Virtuella datorer"),
    ("manage.running", "running", "körs"),
    ("manage.deallocated", "deallocated", "frigjord"),
    ("manage.start", "Start", "Starta"),
    ("manage.deallocate", "Deallocate", "Frigör"),
    ("manage.attach", "Attach disk", "Anslut disk"),
    ("manage.detach", "Detach", "Koppla från"),
    ("workload.title", "Workload", "Arbetsbelastning"),
    ("workload.kind", "Data", "Data"),
    ("workload.random", "Random bytes", "Slumpmässiga byte"),
    ("workload.fill", "Fill with one byte", "Fyll med en byte"),
    ("workload.offset", "Offset (MiB)", "Position (MiB)"),
    ("workload.length", "Length (MiB)", "Längd (MiB)"),
    ("workload.write", "Write", "Skriv"),
    ("workload.trim", "TRIM range", "TRIM av intervall"),
    ("disk.resize", "Resize to (GiB)", "Ändra storlek till (GiB)"),
    ("disk.resizeButton", "Resize", "Ändra storlek"),
    ("disk.grantSas", "Grant SAS", "Bevilja SAS"),
    ("disk.revokeSas", "Revoke SAS", "Återkalla SAS"),
    ("snapshots.copyTo", "Copy to region", "Kopiera till region"),
    ("snapshots.copy", "Copy", "Kopiera"),
    ("console.title", "Console (Azure CLI)", "Konsol (Azure CLI)"),
    ("console.titlePwsh", "Console (Azure PowerShell)", "Konsol (Azure PowerShell)"),
    ("console.hintPwsh", "Paste Az cmdlets or a whole script ($variables, foreach, if, pipes to Where-Object). Up/Down recalls earlier input; Ctrl+Enter runs.", "Klistra in Az-cmdletar eller ett helt skript ($variabler, foreach, if, rör till Where-Object). Upp/Ned hämtar tidigare inmatning; Ctrl+Enter kör."),
    ("console.hint", "Paste az commands or a whole script (bash: variables, $(...), quotes). Up/Down recall earlier input; Ctrl+Enter runs.", "Klistra in az-kommandon eller ett helt skript (bash: variabler, $(...), citattecken). Upp/Ned hämtar tidigare inmatning; Ctrl+Enter kör."),
    ("console.input", "Command or script", "Kommando eller skript"),
    ("console.completions", "Completions (Tab completes, Escape closes)", "Kompletteringar (Tab kompletterar, Escape stänger)"),
    ("console.run", "Run", "Kör"),
    ("console.clear", "Clear output", "Rensa utdata"),
    ("console.copy", "Copy output", "Kopiera utdata"),
    ("console.shell", "Shell", "Skal"),
    ("console.requests", "Show REST requests", "Visa REST-anrop"),
    ("console.requestsHint", "Each az command also prints the requests Azure would receive and the answers, as az --debug logs them.", "Varje az-kommando skriver också ut anropen som Azure skulle ta emot och svaren, som az --debug loggar dem."),
    ("console.progress", "Running: {commands} commands, {lines} lines so far (step {steps})", "Kör: {commands} kommandon, {lines} rader hittills (steg {steps})"),
    ("console.stopping", "Stopping after the command in progress…", "Stoppar efter pågående kommando…"),
    ("console.stop", "Stop", "Stoppa"),
    ("history.lost", "{n} earlier write(s) stored real bytes that are no longer kept (nothing in today's lab uses them): at this point in history those pages read as zeros.", "{n} tidigare skrivning(ar) lagrade riktiga byte som inte längre sparas (inget i dagens labb använder dem): vid den här punkten i historiken läses de sidorna som nollor."),
    ("history.lostConfirm", "{n} earlier write(s) stored bytes that are no longer kept: going back here shows zeros where they were. Go back anyway?", "{n} tidigare skrivning(ar) lagrade byte som inte längre sparas: att gå tillbaka hit visar nollor där de fanns. Gå tillbaka ändå?"),
    ("wizard.nameTaken", "A snapshot named '{name}' already exists in resource group '{group}'. Choose another name. (The portal checks names before it creates; az and templates would update the existing snapshot instead.)", "En ögonblicksbild med namnet '{name}' finns redan i resursgruppen '{group}'. Välj ett annat namn. (Portalen kontrollerar namn innan den skapar; az och mallar skulle i stället uppdatera den befintliga.)"),
    ("console.saving", "Saving what the script did…", "Sparar det skriptet gjorde…"),
    ("console.stopTitle", "Stop the script (Ctrl+C): what already ran stays done, as in Azure", "Stoppa skriptet (Ctrl+C): det som redan körts står kvar, som i Azure"),
    ("console.earlier", "… {n} earlier lines of this script (all shown when it ends)", "… {n} tidigare rader av skriptet (alla visas när det är klart)"),
    ("console.scrollback", "… {n} earlier lines (Copy output copies them all)", "… {n} tidigare rader (Kopiera utdata kopierar alla)"),
    ("template.title", "Deploy a custom template", "Distribuera en anpassad mall"),
    ("template.hint", "A Resource Manager template with Microsoft.Compute/snapshots and disks; seed 001's template is filled in for disk1.", "En Resource Manager-mall med Microsoft.Compute/snapshots och disks; mallen från artikeln är ifylld för disk1."),
    ("template.json", "Template", "Mall"),
    ("template.params", "Parameters (name=value, one a line)", "Parametrar (namn=värde, en per rad)"),
    ("template.deploy", "Deploy", "Distribuera"),
    ("lessons.title", "Lessons", "Lektioner"),
    ("lessons.pick", "Lesson", "Lektion"),
    ("lessons.start", "Start lesson", "Starta lektionen"),
    ("lessons.startConfirm", "Start this lesson? It replaces the lab in this browser with the lesson's starting lab.", "Starta lektionen? Den ersätter labbet i den här webbläsaren med lektionens startlabb."),
    ("lessons.started", "Lesson started", "Lektionen startad"),
    ("lessons.wellDone", "Well done! You solved", "Bra gjort! Du löste"),
    ("lessons.next", "Next lesson:", "Nästa lektion:"),
    ("lessons.allDone", "That was the last lesson.", "Det var den sista lektionen."),
    ("lessons.whatNext", "What next?", "Vad härnäst?"),
    ("walk.run", "Run this in the console", "Kör det här i konsolen"),
    ("lessons.showSolution", "Show solution", "Visa lösningen"),
    ("lessons.runSolution", "Run the solution in the console", "Kör lösningen i konsolen"),
    ("lessons.goals", "Goals", "Mål"),
    ("lessons.hint", "Show a hint", "Visa en ledtråd"),
    ("lessons.solved", "Solved", "Löst"),
    ("lessons.notSolved", "Not solved yet", "Inte löst än"),
    ("lessons.exportProgress", "Export progress", "Exportera framsteg"),
    ("history.title", "History", "Historik"),
    ("history.loading", "Reading the earlier history ({n} operations) from this browser's storage…", "Läser den tidigare historiken ({n} åtgärder) från webbläsarens lagring…"),
    ("history.undo", "Undo", "Ångra"),
    ("history.refused", "refused", "nekad"),
    ("history.disks", "disk(s)", "disk(ar)"),
    ("history.snapshots", "snapshot(s)", "ögonblicksbild(er)"),
    ("history.written", "written", "skrivet"),
    ("history.used", "used", "använt"),
    ("history.snapshot", "Snapshot", "Ögonblicksbild"),
    ("map.cellWord", "cell", "cell"),
    ("map.pagesWord", "pages", "sidor"),
    ("map.bytesWord", "bytes", "byte"),
    ("chain.next", "next", "nästa"),
    ("diff.pages", "pages", "sidor"),
    ("diff.compare", "The same changes, as other trackers count them", "Samma ändringar, räknade som andra spårare räknar dem"),
    ("diff.tracker", "Change tracker", "Ändringsspårare"),
    ("diff.unit", "Unit", "Enhet"),
    ("diff.units", "Units changed", "Ändrade enheter"),
    ("diff.toCopy", "To copy", "Att kopiera"),
    ("diff.compareHint", "Azure lists changes in 512-byte pages, so a small scattered write costs only itself; a tracker with bigger units copies whole units (reference sheet, section 7).", "Azure listar ändringar i sidor om 512 byte, så en liten spridd skrivning kostar bara sig själv; en spårare med större enheter kopierar hela enheter (referensbladet, avsnitt 7)."),
    ("storage.imported", "Imported", "Importerade"),
    ("storage.of", "of", "av"),
    ("storage.notChanged", "Your lab was not changed.", "Ditt labb ändrades inte."),
    ("storage.importConfirm", "Replace the lab in this browser with {file}? Export the current lab first if you want to keep it.", "Ersätta labbet i den här webbläsaren med {file}? Exportera det nuvarande labbet först om du vill behålla det."),
    ("history.operations", "Operations, newest first", "Åtgärder, nyast först"),
    ("history.redo", "Redo", "Gör om"),
    ("history.undone", "Undone: the lab is as it was before its newest operation", "Ångrat: labbet är som före den senaste åtgärden"),
    ("history.forked", "The lab continues from the chosen point; later operations were dropped", "Labbet fortsätter från den valda punkten; senare åtgärder togs bort"),
    ("history.scrub", "Operation", "Åtgärd"),
    ("history.viewing", "Viewing the lab after operation", "Visar labbet efter åtgärd"),
    ("history.fork", "Continue from here", "Fortsätt härifrån"),
    ("history.now", "Back to now", "Tillbaka till nu"),
    ("share.button", "Share link", "Dela länk"),
    ("share.label", "Link to this lab", "Länk till det här labbet"),
    ("share.copy", "Copy link", "Kopiera länken"),
    ("share.qr", "Scan with a phone to open this lab there", "Skanna med en telefon för att öppna labbet där"),
    ("share.qrTooLong", "This lab's link is too long for a QR code: use Copy link, or export a file.", "Labbets länk är för lång för en QR-kod: kopiera länken eller exportera en fil."),
    ("share.waiting", "A shared lab is waiting to be opened.", "Ett delat labb väntar på att öppnas."),
    ("share.open", "Open it", "Öppna det"),
    ("share.dismiss", "Dismiss", "Avfärda"),
    ("share.confirm", "Open the shared lab? It replaces the lab in this browser.", "Öppna det delade labbet? Det ersätter labbet i den här webbläsaren."),
    ("share.opened", "Opened the shared lab", "Öppnade det delade labbet"),
    ("drill.title", "Drill", "Övning"),
    ("drill.new", "New drill", "Ny övning"),
    ("drill.answer", "Your answer (MiB)", "Ditt svar (MiB)"),
    ("drill.check", "Check", "Kontrollera"),
    ("drill.right", "Right: the engine agrees.", "Rätt: motorn håller med."),
    ("drill.wrong", "Not quite: the engine says", "Inte riktigt: motorn säger"),
    ("presenter.toggle", "Presenter mode", "Presentationsläge"),
    ("presenter.script", "Prepared script (one command a line)", "Förberett skript (ett kommando per rad)"),
    ("presenter.next", "Play next command", "Spela nästa kommando"),
    ("presenter.step", "Step", "Steg"),
    ("presenter.upcoming", "Next:", "Nästa:"),
    ("presenter.done", "the script is done", "skriptet är klart"),
    ("shortcuts.title", "Keyboard shortcuts", "Kortkommandon"),
    ("shortcuts.help", "Show or hide this list", "Visa eller dölj listan"),
    ("shortcuts.presenter", "Presenter mode on or off", "Presentationsläge på eller av"),
    ("shortcuts.next", "Play the next command of the prepared script", "Spela nästa kommando i det förberedda skriptet"),
    ("shortcuts.minute", "Advance the clock one minute", "Flytta klockan en minut"),
    ("shortcuts.close", "Close", "Stäng"),
    ("history.replay", "Replay the session", "Spela upp sessionen"),
    ("history.speed", "ms a step", "ms per steg"),
    ("faults.title", "Fault injection (for demos)", "Felinjicering (för demonstrationer)"),
    ("faults.quota", "Quota exceeded on the next operation", "Kvoten tar slut vid nästa åtgärd"),
    ("faults.crash", "Close the tab in the middle of the next operation", "Stäng fliken mitt i nästa åtgärd"),
    ("faults.writer", "Write to the disk while a copy runs", "Skriv till disken medan en kopia pågår"),
    ("faults.armed", "Armed: the next operation will fail as if the browser's storage were full.", "Laddad: nästa åtgärd misslyckas som om webbläsarens lagring vore full."),
    ("faults.crashArmed", "Armed: the next operation stores its data but not its commit record, then the page reloads.", "Laddad: nästa åtgärd sparar sina data men inte sin bekräftelsepost, sedan laddas sidan om."),
    ("diff.map", "Where the ranges are on the disk", "Var intervallen finns på disken"),
];

/// The text for `key` in `lang`; the key itself if the catalog lacks it
/// (which the catalog test prevents).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    CATALOG
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, sv)| match lang {
            Lang::En => *en,
            Lang::Sv => *sv,
        })
        .unwrap_or("⟨missing text⟩")
}

/// The current language's lookup, for components: `let t = use_t(); t("disk.size")`.
#[hook]
pub fn use_t() -> impl Fn(&str) -> &'static str {
    let lang = use_context::<Lang>().unwrap_or_default();
    move |key: &str| tr(lang, key)
}

#[cfg(test)]
mod format_tests {
    use super::*;
    use snaplab_engine::clock::{Span, LAB_EPOCH};

    #[test]
    fn times_read_as_people_write_them_in_each_language() {
        assert_eq!(
            readable_time(Lang::En, LAB_EPOCH),
            "Mon 5 Jan 2026, 10:00:00 UTC"
        );
        assert_eq!(
            readable_time(Lang::Sv, LAB_EPOCH),
            "mån 5 jan. 2026 10:00:00 UTC"
        );
        let later = LAB_EPOCH + Span::days(31) + Span::seconds(61);
        assert_eq!(
            readable_time(Lang::En, later),
            "Thu 5 Feb 2026, 10:01:01 UTC"
        );
        assert_eq!(
            readable_time(Lang::Sv, later),
            "tors 5 feb. 2026 10:01:01 UTC"
        );
    }

    #[test]
    fn numbers_use_each_languages_separators() {
        assert_eq!(number(Lang::En, 1234567.891, 2), "1,234,567.89");
        assert_eq!(
            number(Lang::Sv, 1234567.891, 2),
            "1\u{202f}234\u{202f}567,89"
        );
        assert_eq!(number(Lang::En, 0.32258, 4), "0.3226");
        assert_eq!(number(Lang::Sv, 0.32258, 4), "0,3226");
        assert_eq!(number(Lang::En, -0.0, 4), "0.0000");
        assert_eq!(number(Lang::En, 512.0, 0), "512");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_key_has_an_english_and_a_swedish_text_and_keys_are_unique() {
        let mut keys = BTreeSet::new();
        for (key, en, sv) in CATALOG {
            assert!(keys.insert(*key), "key {key} appears twice");
            assert!(!en.trim().is_empty(), "{key} has no English text");
            assert!(!sv.trim().is_empty(), "{key} has no Swedish text");
        }
    }

    #[test]
    fn every_key_the_source_uses_is_in_the_catalog() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut used = BTreeSet::new();
        let mut files = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // t("key") (not get("…") or expect("…")) and tr(lang, "key")
                for (marker, whole_word) in [("t(\"", true), ("tr(lang, \"", false)] {
                    for (at, _) in text.match_indices(marker) {
                        let before = text[..at].chars().next_back();
                        if whole_word
                            && before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                        {
                            continue;
                        }
                        let rest = &text[at + marker.len()..];
                        if let Some(end) = rest.find('"') {
                            used.insert(rest[..end].to_string());
                        }
                    }
                }
            }
        }
        assert!(used.len() > 20, "the scan found the keys in use: {used:?}");
        let known: BTreeSet<String> = CATALOG.iter().map(|(k, _, _)| k.to_string()).collect();
        let missing: Vec<_> = used.difference(&known).collect();
        assert!(
            missing.is_empty(),
            "keys used but not in the catalog: {missing:?}"
        );
    }

    #[test]
    fn lookups_follow_the_language() {
        assert_eq!(tr(Lang::En, "wizard.incremental"), "Incremental");
        assert_eq!(tr(Lang::Sv, "wizard.incremental"), "Stegvis");
        assert_eq!(tr(Lang::Sv, "no.such.key"), "⟨missing text⟩");
    }
}
