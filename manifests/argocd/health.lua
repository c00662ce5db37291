-- Argo CD health of the opsagent.dev resources (BlueGreenDeployment, AlertRule, SecurityAudit,
-- OpsWorkflow), computed by the kstatus rules that Flux and `kubectl wait` use too:
--   being deleted                              -> Progressing "Terminating"
--   status.observedGeneration < generation     -> Progressing (the controller has not seen the spec)
--   Reconciling=True                           -> Progressing (a rollout, analysis or scale-down runs)
--   Stalled=True                               -> Degraded    (rolled back, deadline hit, invalid spec)
--   Ready=True                                 -> Healthy
--   anything else                              -> Progressing
-- Written for Argo CD's Lua 5.1 (gopher-lua); tested with Debian's lua5.1 and lua5.4.
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c ~= nil then
    if c.message ~= nil and c.message ~= "" then
      return c.message
    end
    if c.reason ~= nil and c.reason ~= "" then
      return c.reason
    end
  end
  return fallback
end

local metadata = obj.metadata or {}
if metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Terminating"
  return hs
end

local generation = metadata.generation
local observed = nil
if obj.status ~= nil then
  observed = obj.status.observedGeneration
end
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "the controller has observed generation " .. observed .. " of " .. generation
  return hs
end

local reconciling = condition("Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(reconciling, "Reconciling")
  return hs
end

local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled, "Stalled")
  return hs
end

local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready, "waiting for the Ready condition")
return hs
