"""Failover end to end: a 16-blade cmcsim rack and cmcd with the demo's
declarations (12 logical servers on blades 1-12, warm spares 13-14, cold spares
15-16 in one pool). Each test injects one kind of blade failure and checks what
an operator would notice: the logical server answers again at its IP through a
different blade with the same MAC, WWPN, boot volume and IP (read from the
simulator's fabric: DHCP reservations, MAC table, volume initiators, logins and
writers), the old blade is off or cut off the fabric, the probe's outage is
bounded, and the simulator's invariant monitor saw nothing at any time."""
import datetime
import time
import unittest

from failoverlib import (COLD, HANG_OUTAGE_MS, SERVERS, SPEED, WARM, WARM_OUTAGE_MS, FailoverTestBase,
                         demo_config, log)


class PowerLossTest(FailoverTestBase):
    def test_power_loss_moves_web01_to_a_warm_spare_with_its_identity(self):
        """The issue's must-show: 16 blades, 12 servers, 2 warm + 2 cold spares; web01's blade loses power."""
        web01 = self.ids["web01"]
        self.assertEqual(web01["slot"], 1)
        self.assertEqual(web01["volume"], "web01-boot")
        # The identity is the one cmcd drew from the declared pools, not blade 1's burned-in one.
        self.assertEqual((web01["mac"], web01["wwpn"], web01["ip"]),
                         ("02:00:0a:00:00:01", "20:00:00:25:b5:00:00:01", "10.0.0.11"))
        self.assertNotEqual(web01["mac"], self.rack.blade(1)["nics"][0]["permanentMac"])
        since = self.rack.sim_now()
        self.rack.inject(1, "power-loss")
        t = time.monotonic()
        slot, completed = self.wait_moved("web01", 1, timeout=30)
        self.log_failover(completed[0])
        log("power loss: web01 back on blade %d after %.2f s real; cmcd says %s ms" % (
            slot, time.monotonic() - t, completed[4]))
        self.assertIn(slot, WARM, "a warm spare is preferred to a cold one")
        self.assert_serves("web01", slot)
        self.assert_fenced(1, how=("off",))
        self.assertTrue(self.rack.blade(1)["powerFault"])
        self.assert_outage(web01["ip"], since, WARM_OUTAGE_MS)
        # The other servers never noticed.
        for name, ident in self.ids.items():
            if name != "web01":
                self.assertEqual(self.serving_slot(ident["ip"]), ident["slot"], name)
        started = self.rack.failovers("web01", kind="policy")
        self.assertEqual(len(started), 1, started)
        self.assertEqual(started[0][2], "1")
        task = self.task(started[0][0])
        if task is not None:
            self.assertEqual(task["Phase"], "Completed")
            self.assertEqual(task["ToBlade"]["@odata.id"], "/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % slot)
            self.assertIn(task["Fence"], ("PowerOff", "AlreadyOff"))
        self.assertEqual(self.role(1), "Failed")
        self.assertEqual(self.role(slot), "Active")
        self.assert_no_violations()


class HostHangTest(FailoverTestBase):
    def test_host_hang_watchdog_expiry_fails_over(self):
        web02 = self.ids["web02"]
        since = self.rack.sim_now()
        self.rack.inject(2, "host-hang")
        t = time.monotonic()
        slot, completed = self.wait_moved("web02", 2, timeout=40)
        self.log_failover(completed[0])
        log("host hang: web02 back on blade %d after %.2f s real" % (slot, time.monotonic() - t))
        started = self.rack.failovers("web02", kind="policy")
        self.assertEqual(len(started), 1, started)
        self.assertIn("watchdog", started[0][3], "the cause names the watchdog expiry: %r" % started[0])
        self.assert_serves("web02", slot)
        # The BMC answers: the hung blade is powered off (the hang leaves it on by itself).
        self.assert_fenced(2, how=("off",))
        self.assertEqual(completed[3], "PowerOff", "fenced by power off: %r" % completed)
        self.assert_outage(web02["ip"], since, HANG_OUTAGE_MS)
        self.assert_no_violations()


class BmcDeadTest(FailoverTestBase):
    # A Redfish ForceOff to a hung BMC fails after fenceTimeoutMs; then the fabric fence.
    rack_options = {"failover": {"fenceTimeoutMs": 2000}}

    def test_dead_bmc_and_hung_host_are_fenced_at_the_fabric_before_the_spare_boots(self):
        web03 = self.ids["web03"]
        self.rack.inject(3, "bmc-unresponsive")
        # The BMC alone is not a failure: the host still serves (one signal, not two).
        self.rack.wait(lambda: self.rack.rf("/redfish/v1/Chassis/blade-3")["Oem"]["OpenCMC"]["Health"]["State"]
                       == "BmcUnreachable", 20, "cmcd to judge blade 3's BMC unreachable")
        self.assertEqual(self.rack.failovers("web03", kind="policy"), [], "no failover for a dead BMC alone")
        self.assertEqual(self.serving_slot(web03["ip"]), 3)
        since = self.rack.sim_now()
        self.rack.inject(3, "host-hang")
        slot, completed = self.wait_moved("web03", 3, timeout=40)
        self.log_failover(completed[0])
        self.assertEqual(completed[3], "Fabric", "fenced at the fabric: %r" % completed)
        self.assert_serves("web03", slot)
        # Blade 3 could not be powered off: it still runs (hung), cut off the switch and the SAN.
        b3 = self.rack.blade(3)
        self.assertEqual(b3["power"], "On", "the dead BMC could not power blade 3 off")
        off, cut = self.assert_fenced(3, how=("fabric",))
        self.assertTrue(cut)
        self.assertEqual([h["visibleVolumes"] for h in b3["hbas"]], [[], []], "blade 3 sees no volume")
        # Ordering: the fence came before the spare was programmed and powered on.
        fenced = [e for e in self.rack.events("BladeFenced") if e["MessageArgs"][0] == "3"]
        self.assertEqual(len(fenced), 1, fenced)
        self.assertEqual(fenced[0]["MessageArgs"][1], "Fabric")
        fid = completed[0]
        phases = [e for e in self.rack.events("FailoverPhaseChanged") if e["MessageArgs"][0] == fid]
        first_program = min(self.event_id(e) for e in phases if e["MessageArgs"][2] == "Programming")
        first_power_on = min(self.event_id(e) for e in phases if e["MessageArgs"][2] == "PoweringOn")
        self.assertLess(self.event_id(fenced[0]), first_program)
        self.assertLess(first_program, first_power_on)
        # The SAN's record: blade 3 stopped writing web03-boot before the spare started.
        writers = [w for w in self.rack.fabric()["san"]["writers"] if w["volume"] == web03["volume"]]
        old = [w for w in writers if w["slot"] == 3]
        new = [w for w in writers if w["slot"] == slot]
        self.assertTrue(old and new, writers)
        self.assertFalse(any(w["active"] for w in old), writers)
        self.assertLessEqual(max(w["lastMs"] for w in old), min(w["firstMs"] for w in new),
                             "two blades wrote %s at once: %r" % (web03["volume"], writers))
        self.assert_outage(web03["ip"], since, HANG_OUTAGE_MS)
        self.assert_no_violations()


class VerificationFailureTest(FailoverTestBase):
    rack_options = {"failover": {"verifyTimeoutMs": 5000}}

    def test_spare_that_fails_verification_is_quarantined_and_the_next_used(self):
        web04 = self.ids["web04"]
        self.rack.inject(13, "fail-verification")
        since = self.rack.sim_now()
        self.rack.inject(4, "power-loss")
        slot, completed = self.wait_moved("web04", 4, timeout=40)
        self.log_failover(completed[0])
        self.assertEqual(slot, 14, "the next warm spare takes web04")
        self.assert_serves("web04", slot)
        self.assert_fenced(4, how=("off",))
        # Spare 13 was tried, released (powered off) and quarantined.
        self.rack.wait(lambda: self.rack.blade(13)["power"] == "Off", 10, "spare 13 powered off")
        self.assertEqual(self.role(13), "Quarantined")
        q = [e["MessageArgs"] for e in self.rack.events("BladeQuarantined") if e["MessageArgs"][0] == "13"]
        self.assertEqual(len(q), 1, q)
        self.assertIn("verification", q[0][1])
        task = self.task(completed[0])
        if task is not None:
            self.assertEqual(task["TriedBlades"], [{"@odata.id": "/redfish/v1/CompositionService/ResourceBlocks/blade-13"}])
            self.assertEqual(task["Phase"], "Completed")
        self.assert_outage(web04["ip"], since, WARM_OUTAGE_MS + 5000 * SPEED)
        self.assert_no_violations()


def no_spare_declarations():
    d = demo_config.declarations(SERVERS, warm=WARM, cold=COLD)
    d["sparePools"].append({"name": "empty", "members": []})
    d["logicalServers"][0]["failover"]["sparePool"] = "empty"
    return d


class NoSpareTest(FailoverTestBase):
    rack_options = {"declarations": no_spare_declarations()}

    def test_no_compatible_spare_fails_with_a_reason_and_moves_nothing(self):
        web01 = self.ids["web01"]
        if self.rack.has("/redfish/v1/Systems/web01"):
            cov = self.rack.rf("/redfish/v1/Systems/web01")["Oem"]["OpenCMC"]["Coverage"]
            self.assertFalse(cov["Covered"], cov)
        self.rack.inject(1, "power-loss")
        failed = self.rack.wait(lambda: [e["MessageArgs"] for e in self.rack.events("FailoverFailed")
                                         if e["MessageArgs"][1] == "web01"], 30, "web01's failover to fail")
        self.assertEqual(len(failed), 1, failed)
        reason = failed[0][2]
        self.assertIn("no compatible spare", reason)
        self.assertIn("empty", reason, "the reason names the pool")
        down = [e["MessageArgs"] for e in self.rack.events("LogicalServerDown") if e["MessageArgs"][0] == "web01"]
        self.assertEqual(len(down), 1, down)
        if self.rack.has("/redfish/v1/Systems/web01"):
            s = self.rack.rf("/redfish/v1/Systems/web01")
            self.assertEqual(s["Oem"]["OpenCMC"]["State"], "Down")
            self.assertIn("no compatible spare", s["Oem"]["OpenCMC"]["StateReason"])
            self.assertEqual(s["Links"]["Chassis"], [])
        # Nothing moved: no blade carries web01's MAC or WWPN but the dead one; spares untouched.
        for slot in range(2, 17):
            b = self.rack.blade(slot)
            self.assertNotEqual(b["nics"][0]["mac"], web01["mac"], slot)
            self.assertNotEqual(b["hbas"][0]["wwpn"], web01["wwpn"], slot)
        fab = self.rack.fabric()
        self.assertEqual([e for e in fab["switch"]["macTable"] if e["mac"] == web01["mac"]], [])
        vol = next(v for v in fab["san"]["volumes"] if v["name"] == web01["volume"])
        self.assertEqual(vol["logins"], [])
        for s in WARM:
            self.assert_spare_untouched(s, "Warm")
        for s in COLD:
            self.assert_spare_untouched(s, "Cold")
        t = self.rack.target(web01["ip"])
        self.assertFalse(t["reachable"])
        self.assert_fenced(1, how=("off",))
        self.assert_no_violations()


class TwoFailuresTest(FailoverTestBase):
    def test_two_blades_lose_power_together_both_servers_move(self):
        since = self.rack.sim_now()
        self.rack.inject(5, "power-loss")
        self.rack.inject(6, "power-loss")
        s5, _ = self.wait_moved("app01", 5, timeout=40)
        s6, _ = self.wait_moved("app02", 6, timeout=40)
        self.assertNotEqual(s5, s6)
        self.assertEqual({s5, s6}, set(WARM), "both warm spares are used before a cold one")
        for name, old, new in (("app01", 5, s5), ("app02", 6, s6)):
            self.assert_serves(name, new)
            self.assert_fenced(old, how=("off",))
            self.assert_outage(self.ids[name]["ip"], since, WARM_OUTAGE_MS)
        self.assertEqual(self.rack.events("StormBreakerTripped"), [])
        self.assert_no_violations()


class ColdSpareTest(FailoverTestBase):
    def test_three_failures_use_both_warm_spares_then_a_cold_one(self):
        """Three blades lose power together (3 of 16: no storm): 13 and 14 boot at once, cold 15 from off."""
        failing = {"app03": 7, "app04": 8, "db02": 10}
        since = self.rack.sim_now()
        for slot in failing.values():
            self.rack.inject(slot, "power-loss")
        new = {}
        for name, old in failing.items():
            new[name], completed = self.wait_moved(name, old, timeout=40)
            self.log_failover(completed[0])
        self.assertEqual(sorted(new.values()), [13, 14, 15], "both warm spares, then the first cold one: %r" % new)
        for name, old in failing.items():
            self.assert_serves(name, new[name])
            self.assert_fenced(old, how=("off",))
            self.assertEqual(len(self.rack.failovers(name, kind="policy")), 1, name)
        cold = next(n for n, s in new.items() if s == 15)
        self.assert_outage(self.ids[cold]["ip"], since, WARM_OUTAGE_MS + 6000)  # + power on and POST (6 s simulated)
        self.assertEqual(self.rack.events("BladeQuarantined"), [], "no spare was judged bad")
        self.assert_spare_untouched(16, "Cold")
        self.assert_no_violations()


STORM = {"storm": {"maxFraction": 0.25, "minFailures": 3, "windowMs": 60000}, "holdMs": 2000}
STORM_BLADES = [1, 2, 3, 4, 5, 6]  # 6 of 16 blades: more than 25 %


class StormTest(FailoverTestBase):
    """Six blades lose power at once: the storm breaker holds automatic failover."""
    rack_options = {"failover": STORM}
    shared = True

    def scenario(self):
        for slot in STORM_BLADES:
            self.rack.inject(slot, "power-loss")
        self.rack.wait(lambda: self.rack.events("StormBreakerTripped"), 20, "StormBreakerTripped")
        failed = self.rack.wait(lambda: (lambda f: len(f) == len(STORM_BLADES) and f)(
            [e for e in self.rack.events("BladeFailed") if int(e["MessageArgs"][0]) in STORM_BLADES]),
            20, "cmcd to see all %d blades failed" % len(STORM_BLADES))
        # Each failure is held holdMs before its failover would start: watch until
        # well past the hold of the last one, checking at every step that nothing moves.
        last = max(datetime.datetime.fromisoformat(e["Created"].replace("Z", "+00:00")).timestamp() for e in failed)
        until = last + STORM["holdMs"] / 1000.0 + 2.0
        moved = []

        def nothing_moves():
            started = [e["MessageArgs"] for e in self.rack.events("FailoverStarted") if e["MessageArgs"][4] == "policy"]
            if started:
                moved.append(("FailoverStarted", started))
            for s in WARM + COLD:
                b = self.rack.blade(s)
                if b["bootVolume"] or [n["mac"] for n in b["nics"]] != [n["permanentMac"] for n in b["nics"]] or (
                        b["power"], b["host"]) != (("On", "Firmware") if s in WARM else ("Off", "Off")):
                    moved.append(("spare %d" % s, b["power"], b["host"], b["nics"][0]["mac"], b["bootVolume"]))
            return moved or time.time() >= until
        self.rack.wait(nothing_moves, 30, "the hold of every failure to pass", interval=0.1)
        servers = {demo_config.server_names(SERVERS)[s - 1]: s for s in STORM_BLADES}
        systems = {}
        for name in servers:
            if self.rack.has("/redfish/v1/Systems/" + name):
                systems[name] = self.rack.rf("/redfish/v1/Systems/" + name)
        return {"moved": moved, "servers": servers, "systems": systems}

    def test_storm_breaker_trips_and_nothing_moves(self):
        self.assertEqual(self.outcome["moved"], [], "a failover started or a spare changed during the storm")
        tripped = self.rack.events("StormBreakerTripped")
        self.assertEqual(len(tripped), 1, tripped)
        self.assertIn("of 16 blades failed", tripped[0]["MessageArgs"][0])
        for s in WARM:
            self.assert_spare_untouched(s, "Warm")
        for s in COLD:
            self.assert_spare_untouched(s, "Cold")
        for name, slot in self.outcome["servers"].items():
            self.assertFalse(self.rack.target(self.ids[name]["ip"])["reachable"], name)
            self.assertEqual(self.rack.blade(slot)["power"], "Off")
        if self.rack.has("/redfish/v1/CompositionService"):
            storm = self.rack.rf("/redfish/v1/CompositionService")["Oem"]["OpenCMC"]["Storm"]
            self.assertTrue(storm["Tripped"], storm)
            self.assertEqual(storm["FailuresInWindow"], len(STORM_BLADES), storm)
        self.assert_no_violations()

    def test_storm_tells_the_operator_about_every_server_held_back(self):
        paused = {e["MessageArgs"][0] for e in self.rack.events("FailoverPaused")}
        log("storm: FailoverPaused for %s" % sorted(paused))
        states = {n: s["Oem"]["OpenCMC"]["State"] for n, s in self.outcome["systems"].items()}
        log("storm: Systems State %r" % states)
        self.assertEqual(sorted(paused), sorted(self.outcome["servers"]), "a FailoverPaused event per server")
        for name, state in states.items():
            self.assertNotEqual(state, "Running", "%s is shown Running on a dead blade" % name)


class FlappingSpareTest(FailoverTestBase):
    """The first-choice warm spare 13 has the fail-after-boot fault: its OS hangs
    2 s (simulated) after every boot. db01's blade 9 then loses power. cmcd's default
    verifyStableMs (3 s, here a quarter of verifyTimeoutMs: 2 s) is the window under test."""
    rack_options = {"failover": {"verifyTimeoutMs": 8000, "verifyStableMs": 3000}}
    shared = True

    def scenario(self):
        self.rack.inject(13, "fail-after-boot")
        since = self.rack.sim_now()
        self.rack.inject(9, "power-loss")
        ip = self.ids["db01"]["ip"]

        def settled():
            done = [e["MessageArgs"] for e in self.rack.events("FailoverCompleted")
                    if e["MessageArgs"][1] == "db01" and e["MessageArgs"][2] not in ("9", "13")]
            slot = self.serving_slot(ip)
            return done and slot not in (False, 9, 13) and slot
        slot = self.rack.wait(settled, 40, "db01 to settle on a blade other than 9 and 13")
        for f in self.rack.failovers("db01", kind="policy"):
            self.log_failover(f[0])
        outages = [o for o in self.rack.probe()["outages"] if o["ip"] == ip and o["startMs"] >= since]
        log("flapping spare: db01 outages (simulated ms) %r" % [o["durationMs"] for o in outages])
        return {"slot": slot, "since": since}

    def test_server_ends_on_a_good_spare_and_the_flapping_blade_is_off(self):
        slot = self.outcome["slot"]
        self.assertIn(slot, (14,) + COLD)
        self.assert_serves("db01", slot)
        self.rack.wait(lambda: self.rack.blade(13)["power"] == "Off", 10, "blade 13 powered off")
        self.assertIn(self.role(13), ("Failed", "Quarantined"), "blade 13 is out of the pool")
        self.assert_fenced(9, how=("off",))
        for o in self.rack.probe()["outages"]:
            if o["ip"] == self.ids["db01"]["ip"] and o["startMs"] >= self.outcome["since"]:
                self.assertFalse(o["ongoing"], o)
                self.assertLessEqual(o["durationMs"], HANG_OUTAGE_MS, o)
        self.assert_no_violations()

    def test_flapping_spare_is_quarantined_within_one_failover(self):
        self.assertEqual(self.role(13), "Quarantined")
        started = self.rack.failovers("db01", kind="policy")
        self.assertEqual(len(started), 1, "one failover of db01, not one per spare: %r" % started)
        task = self.task(started[0][0])
        if task is not None:
            self.assertEqual(task["TriedBlades"], [{"@odata.id": "/redfish/v1/CompositionService/ResourceBlocks/blade-13"}])
        outs = [o for o in self.rack.probe()["outages"]
                if o["ip"] == self.ids["db01"]["ip"] and o["startMs"] >= self.outcome["since"]]
        # The flapping spare answered for a moment before it hung, so users of db01 see the
        # first outage end and a second one until the next spare is up: two, never more.
        self.assertLessEqual(len(outs), 2, "users of db01 see at most two outages: %r" % outs)
        self.assertFalse(any(o["ongoing"] for o in outs), outs)


REDFISH_ONLY = (1, 13, 14)


class RedfishOnlyTest(FailoverTestBase):
    """Blades 1, 13 and 14 have no IPMI in the manifest: cmcd manages them over Redfish alone.
    powerOnGraceMs is shortened so that a failure injected right after the bind is not
    inside the grace (RedfishOnlyPowerOnGraceTest covers the default)."""
    rack_options = {"redfish_only": REDFISH_ONLY, "failover": {"verifyTimeoutMs": 5000},
                    "monitor": {"powerOnGraceMs": 3000}}

    def setUp(self):
        super().setUp()
        self.assert_redfish_only()

    def assert_redfish_only(self):
        for slot in REDFISH_ONLY:
            paths = self.rack.rf("/redfish/v1/Chassis/blade-%d" % slot)["Oem"]["OpenCMC"]["ManagementPaths"]
            self.assertFalse(paths["Ipmi"], paths)
            self.assertTrue(paths["Redfish"], paths)

    def phase_notes(self, fid, phase):
        return [e["MessageArgs"][4] for e in self.rack.events("FailoverPhaseChanged")
                if e["MessageArgs"][0] == str(fid) and e["MessageArgs"][2] == phase]

    def test_redfish_only_blade_fails_over_to_a_redfish_only_spare(self):
        web01 = self.ids["web01"]
        since = self.rack.sim_now()
        self.rack.inject(1, "power-loss")
        slot, completed = self.wait_moved("web01", 1, timeout=30)
        self.log_failover(completed[0])
        self.assertEqual(slot, 13)
        self.assert_serves("web01", slot)
        self.assert_fenced(1, how=("off",))
        self.assertIn(completed[3], ("PowerOff", "AlreadyOff"))
        notes = self.phase_notes(completed[0], "Allocating")
        self.assertTrue(any("Redfish" in n for n in notes), "blade 1's power read back over Redfish: %r" % notes)
        self.assert_outage(web01["ip"], since, WARM_OUTAGE_MS)
        self.assert_no_violations()

    def test_redfish_only_spare_that_fails_verification_is_forced_off(self):
        """Spare 13 (Redfish only) never answers: released with Redfish ForceOff, quarantined; 14 takes web01."""
        self.rack.inject(13, "fail-verification")
        self.rack.inject(1, "power-loss")
        slot, completed = self.wait_moved("web01", 1, timeout=40)
        self.log_failover(completed[0])
        self.assertEqual(slot, 14)
        self.assert_serves("web01", slot)
        self.assertEqual(self.rack.blade(13)["power"], "Off")
        self.assertEqual(self.role(13), "Quarantined")
        notes = self.phase_notes(completed[0], "Allocating")
        self.assertTrue(any("blade 13 released" in n and "Redfish ForceOff" in n for n in notes),
                        "spare 13 released by Redfish ForceOff: %r" % notes)
        self.assert_no_violations()

    def test_redfish_only_blade_with_a_hung_host_is_forced_off(self):
        bmc = self.rack.sim.bmc(1)
        self.rack.inject(1, "host-hang")
        # The blade's own Redfish service records the watchdog expiry (30 s simulated: 3 s real).
        self.rack.wait(lambda: any("Watchdog" in (m.get("Message") or "") for m in
                                   bmc.get("/redfish/v1/Managers/bmc/LogServices/SEL/Entries")["Members"]),
                       15, "blade 1's Redfish SEL to record the watchdog expiry")
        # The IPMI blade of HostHangTest is back on a spare within about 5 s of the hang.
        try:
            slot, completed = self.wait_moved("web01", 1, timeout=12)
        finally:
            h = self.rack.rf("/redfish/v1/Chassis/blade-1")["Oem"]["OpenCMC"]["Health"]
            log("redfish-only hang: blade 1 health %s (%s), bad signals %r" % (h["State"], h["Reason"], h["BadSignals"]))
        self.assertEqual(completed[3], "PowerOff")
        self.assert_serves("web01", slot)
        self.assert_fenced(1, how=("off",))
        self.assert_no_violations()



class RedfishOnlyPowerOnGraceTest(FailoverTestBase):
    """The default powerOnGraceMs (15 s): blade 1 (Redfish only) loses power 3-4 s after cmcd bound web01 there."""
    rack_options = {"redfish_only": REDFISH_ONLY}

    def test_power_loss_soon_after_a_power_on_is_seen_at_once(self):
        since = self.rack.sim_now()
        self.rack.inject(1, "power-loss")
        # RedfishOnlyTest's failover of the same fault completes within about 2.5 s.
        slot, completed = self.wait_moved("web01", 1, timeout=8)
        self.assert_serves("web01", slot)
        self.assert_outage(self.ids["web01"]["ip"], since, WARM_OUTAGE_MS)

if __name__ == "__main__":
    unittest.main(verbosity=2)
