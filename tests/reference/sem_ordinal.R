# lavaan 0.6 references for ordinal CFA/SEM (ordered=, WLSMV / DWLS / ULSMV, delta parameterization).
#
# Data 1: lavaan::HolzingerSwineford1939, items x1..x9 cut into k = 3,4,5,3,4,5,3,4,5 ordered categories at the
# sample quantiles of each item:
#     cut(x, breaks = quantile(x, probs = (0:k) / k), include.lowest = TRUE, labels = FALSE)
# (quantile type 7, R's default). The cut data are written to sem_ordinal/hs_ordinal.csv and the Python tests read
# that file, so both sides use identical categories.
# Data 2: the cleaned bundled survey (psychometrics/cem_clean.csv, written by Python) with the measurement part of
# the instrument's model (sem_ordinal/cem_measurement.lav), 7 ordered categories, missing = "pairwise"; and the
# full model of the instrument (sem_cem/model.lav: structural part and := indirect effects).
#
# Also: DWLS, ULSMV, ULS, std.lv, a structural model with := effects, binary items (one with an empty 2 x 2 cell),
# two groups (configural; loadings + thresholds equal; group.partial), pairwise missing values, and the ordinal
# invariance ladder of semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016") with lavTestLRT between levels.
# Needs lavaan and semTools. Run from the repository root:  Rscript tests/reference/sem_ordinal.R
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_ordinal"
hs <- HolzingerSwineford1939
ks <- c(3, 4, 5, 3, 4, 5, 3, 4, 5)
d <- data.frame(school = hs$school)
for (i in 1:9) {
  x <- hs[[paste0("x", i)]]
  br <- quantile(x, probs = (0:ks[i]) / ks[i])
  stopifnot(!anyDuplicated(br))
  d[[paste0("x", i)]] <- cut(x, breaks = br, include.lowest = TRUE, labels = FALSE)
}
write.csv(d, file.path(out, "hs_ordinal.csv"), row.names = FALSE)
items <- paste0("x", 1:9)

keep <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
          "baseline.chisq", "baseline.df", "baseline.pvalue", "baseline.chisq.scaled", "baseline.df.scaled",
          "baseline.pvalue.scaled", "baseline.chisq.scaling.factor",
          "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
          "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
          "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
          "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust",
          "srmr", "ntotal")
write_fit <- function(fit, name) {
  fm <- fitMeasures(fit)
  fm <- fm[intersect(keep, names(fm))]
  tst <- lavInspect(fit, "test")
  extra <- c()
  if (length(tst) > 1 && !is.null(tst[[2]]$shift.parameter)) extra <- c(chisq.shift = tst[[2]]$shift.parameter)
  fm <- c(fm, extra)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(out, paste0(name, "_fit.csv")),
            row.names = FALSE)
  pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
  write.csv(pe[, intersect(c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower",
                             "ci.upper", "std.lv", "std.all"), names(pe))],
            file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE, na = "")
}
write_stats <- function(fit, name) {
  # sample statistics: thresholds + polychoric correlations (WLS.obs) and the diagonal of NACOV (Gamma)
  obs <- lavInspect(fit, "wls.obs")
  gam <- lavInspect(fit, "gamma")
  if (!is.list(obs) || is.numeric(obs)) { obs <- list(obs); gam <- list(gam) }
  rows <- do.call(rbind, lapply(seq_along(obs), function(g)
    data.frame(group = g, index = seq_along(obs[[g]]), wls_obs = as.numeric(obs[[g]]),
               gamma_diag = diag(gam[[g]]))))
  write.csv(rows, file.path(out, paste0(name, "_stats.csv")), row.names = FALSE)
  g1 <- gam[[1]]
  write.csv(g1[1:min(12, nrow(g1)), 1:min(12, ncol(g1))], file.path(out, paste0(name, "_gamma_block.csv")),
            row.names = FALSE)
}

m1 <- paste("g =~", paste(items, collapse = " + "))
m3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
msem <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9
textual ~ a*visual\nspeed ~ b*textual + visual\nind := a*b\ntotal := a*b + 0"
writeLines(m1, file.path(out, "hs_one.lav"))
writeLines(m3, file.path(out, "hs_three.lav"))
writeLines(msem, file.path(out, "hs_sem.lav"))

f1 <- cfa(m1, data = d, ordered = items)
write_fit(f1, "hs_one_wlsmv"); write_stats(f1, "hs_one")
f3 <- cfa(m3, data = d, ordered = items)
write_fit(f3, "hs_three_wlsmv")
write_fit(cfa(m3, data = d, ordered = items, estimator = "DWLS"), "hs_three_dwls")
write_fit(cfa(m3, data = d, ordered = items, estimator = "ULSMV"), "hs_three_ulsmv")
write_fit(cfa(m3, data = d, ordered = items, estimator = "ULS"), "hs_three_uls")
write_fit(cfa(m3, data = d, ordered = items, std.lv = TRUE), "hs_three_stdlv_wlsmv")
write_fit(sem(msem, data = d, ordered = items), "hs_sem_wlsmv")
# residual covariance between items and equal loadings by label
mres <- "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx1 ~~ x4\nx7 ~~ x8"
writeLines(mres, file.path(out, "hs_rescov.lav"))
write_fit(cfa(mres, data = d, ordered = items), "hs_rescov_wlsmv")
# ordinal items as outcomes of regressions on factors (single-item outcomes)
mout <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx9 ~ visual + textual\nx7 ~ textual"
writeLines(mout, file.path(out, "hs_outcome.lav"))
write_fit(sem(mout, data = d, ordered = c(paste0("x", 1:7), "x9")), "hs_outcome_wlsmv")
# two groups (school): configural, and loadings + thresholds equal
write_fit(cfa(m3, data = d, ordered = items, group = "school"), "hs_three_configural")
write_fit(cfa(m3, data = d, ordered = items, group = "school", group.equal = c("loadings", "thresholds")),
          "hs_three_scalar")
write_fit(cfa(m3, data = d, ordered = items, group = "school", group.equal = c("loadings", "thresholds"),
              group.partial = c("x3|t1", "visual=~x2")), "hs_three_partial")
# invariance ladder for ordinal items: semTools::measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
# parameterization = "delta"): configural -> thresholds -> + loadings -> + intercepts, and lavTestLRT between
# consecutive levels (WLSMV: Satorra (2000) scaled-and-shifted difference test)
suppressPackageStartupMessages(library(semTools))
dord <- d
for (i in items) dord[[i]] <- ordered(dord[[i]])
ladder <- list(configural = "configural", thresholds = "thresholds", loadings = c("thresholds", "loadings"),
               intercepts = c("thresholds", "loadings", "intercepts"))
lfits <- list()
for (lev in names(ladder)) {
  syn <- measEq.syntax(m3, data = dord, ordered = items, group = "school", parameterization = "delta",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = ladder[[lev]],
                       return.fit = FALSE)
  lfits[[lev]] <- cfa(as.character(syn), data = d, ordered = items, group = "school")
  write_fit(lfits[[lev]], paste0("hs_ladder_", lev))
}
lrt <- do.call(rbind, lapply(2:4, function(k) {
  a <- lavTestLRT(lfits[[k - 1]], lfits[[k]])
  data.frame(level = names(ladder)[k], delta_chisq = a[2, "Chisq diff"], delta_df = a[2, "Df diff"],
             delta_pvalue = a[2, "Pr(>Chisq)"])
}))
write.csv(lrt, file.path(out, "hs_ladder_lrt.csv"), row.names = FALSE)
# binary items (cut at the median; 2 x 2 tables) with the three-factor model
db <- d
for (i in 1:9) db[[paste0("x", i)]] <- as.integer(hs[[paste0("x", i)]] > median(hs[[paste0("x", i)]]))
write.csv(db, file.path(out, "hs_binary.csv"), row.names = FALSE)
write_fit(cfa(m3, data = db, ordered = items), "hs_binary_wlsmv")
# a 2 x 2 table with one empty cell (x2 = 1 whenever x1 = 1): lavaan adds 0.5 keeping the margins
dz <- db
dz$x2[dz$x1 == 1] <- 1L
write.csv(dz, file.path(out, "hs_binary_zero.csv"), row.names = FALSE)
write_stats(cfa(m3, data = dz, ordered = items), "hs_binary_zero")
# pairwise missing: HS with 20 values deleted (fixed positions)
dm <- d
set.seed(1)
pos <- cbind(sample(nrow(d), 30, replace = TRUE), sample(2:10, 30, replace = TRUE))
for (r in seq_len(nrow(pos))) dm[pos[r, 1], pos[r, 2]] <- NA
write.csv(dm, file.path(out, "hs_ordinal_missing.csv"), row.names = FALSE)
fm <- cfa(m3, data = dm, ordered = items, missing = "pairwise")
write_fit(fm, "hs_three_pairwise"); write_stats(fm, "hs_three_pairwise")
cat("default missing with ordered:", lavInspect(f3, "options")$missing, "\n")

# bundled survey, measurement model, 7 ordered categories, pairwise
cem <- read.csv("tests/reference/psychometrics/cem_clean.csv")
mm <- paste(readLines(file.path(out, "cem_measurement.lav")), collapse = "\n")
cem_items <- unique(unlist(regmatches(mm, gregexpr("[A-Z]+[0-9]+", mm))))
fc <- cfa(mm, data = cem, ordered = cem_items, missing = "pairwise")
write_fit(fc, "cem_measurement_wlsmv")
# the instrument's full model (structural part, residual covariances, := indirect effects), same data
full <- paste(readLines("tests/reference/sem_cem/model.lav"), collapse = "\n")
write_fit(sem(full, data = cem, ordered = cem_items, missing = "pairwise"), "cem_full_wlsmv")
cat("lavaan", as.character(packageVersion("lavaan")), "\n", file = file.path(out, "VERSION"))
