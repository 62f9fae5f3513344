# Reference for tests/test_factor.py::test_ultra_heywood_warns_as_psych: the first 30 pupils of
# lavaan's HolzingerSwineford1939, 4 factors, minres + oblimin. psych::fa warns
# "An ultra-Heywood case was detected" (a communality above 1).
# Run from the repository root: Rscript tests/reference/efa_heywood.R
library(psych); library(lavaan); library(jsonlite)
hs <- HolzingerSwineford1939[1:30, paste0("x", 1:9)]
msgs <- character()
f <- withCallingHandlers(fa(hs, nfactors = 4, rotate = "oblimin", fm = "minres"),
                         warning = function(w) { msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
out <- list(communality = as.list(f$communality), ultra_heywood = any(grepl("ultra-Heywood", msgs)),
            psych = as.character(packageVersion("psych")))
write_json(out, "tests/reference/psychometrics/efa_ultra_heywood.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
