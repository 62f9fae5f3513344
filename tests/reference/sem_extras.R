# Reference values for cem_edu.sem extras (MLR, FIML, bootstrap, invariance, modindices, power)
# from lavaan 0.6. Run from the repository root:  Rscript tests/reference/sem_extras.R
# Writes tests/reference/sem_extras/*.csv. Python tests read the same CSV data files.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_extras"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
hs <- read.csv("datasets/holzinger_swineford.csv")
hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
pd <- read.csv("datasets/political_democracy.csv")
pd_model <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ p1*ind60
dem65 ~ p2*ind60 + p3*dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
indirect := p1*p3
total := p2 + p1*p3"

write_fit <- function(fit, name) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe, file.path(out, paste0(name, "_est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  cat(name, ": chisq", fm["chisq"], "df", fm["df"], "\n")
}

# 1. MLR on complete data
write_fit(cfa(hs_model, data = hs, estimator = "MLR"), "hs_mlr")
write_fit(sem(pd_model, data = pd, estimator = "MLR"), "pd_mlr")
cov_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
visual ~ ageyr + sex
speed ~ visual + ageyr"
write_fit(sem(cov_model, data = hs, estimator = "MLR"), "hs_cov_mlr")

# 2. ~10% MCAR missing cells in x1..x9, deterministic; saved so Python reads identical data
set.seed(20261123)
hsm <- hs
xs <- paste0("x", 1:9)
for (v in xs) hsm[[v]][runif(nrow(hsm)) < 0.10] <- NA
hsm <- hsm[rowSums(!is.na(hsm[, xs])) > 0, ]
write.csv(hsm, file.path(out, "hs_mcar.csv"), row.names = FALSE, na = "")
hsm <- read.csv(file.path(out, "hs_mcar.csv"))
cat("missing cells:", sum(is.na(hsm[, xs])), "complete rows:", sum(complete.cases(hsm[, xs])), "\n")
write_fit(cfa(hs_model, data = hsm, missing = "ml"), "hs_fiml")
write_fit(cfa(hs_model, data = hsm, missing = "ml", estimator = "MLR"), "hs_fiml_mlr")
write_fit(cfa(hs_model, data = hsm), "hs_listwise")
write_fit(sem(pd_model, data = pd, missing = "ml"), "pd_fiml_complete")

# 3. measurement invariance by school
levels <- list(configural = "none", metric = "loadings",
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))
fits <- list()
for (lv in names(levels)) {
  fits[[lv]] <- if (lv == "configural") cfa(hs_model, data = hs, group = "school") else
    cfa(hs_model, data = hs, group = "school", group.equal = levels[[lv]])
  write_fit(fits[[lv]], paste0("hs_inv_", lv))
}
fits$metric_mlr <- cfa(hs_model, data = hs, group = "school", group.equal = "loadings", estimator = "MLR")
write_fit(fits$metric_mlr, "hs_inv_metric_mlr")
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar, fits$strict)
write.csv(data.frame(model = rownames(lrt), as.data.frame(lrt), check.names = FALSE),
          file.path(out, "hs_inv_lrt.csv"), row.names = FALSE)
# partial scalar invariance: intercepts of x3 and x7 free
fit_ps <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
              group.partial = c("x3 ~ 1", "x7 ~ 1"))
write_fit(fit_ps, "hs_inv_scalar_partial")

# 4. modification indices
fit_ml <- cfa(hs_model, data = hs)
mi <- modindices(fit_ml)
write.csv(mi, file.path(out, "hs_modindices.csv"), row.names = FALSE)
write.csv(modindices(sem(pd_model, data = pd)), file.path(out, "pd_modindices.csv"), row.names = FALSE)

# 5. bootstrap: lavaan's draws and its CIs on those draws (percentile, bias-corrected 'bca.simple')
set.seed(1)
fb <- cfa(hs_model, data = hs, se = "bootstrap", bootstrap = 1000)
draws <- lavInspect(fb, "boot")
write.csv(signif(draws, 12), file.path(out, "hs_boot_draws.csv"), row.names = FALSE)
pe <- parameterEstimates(fb, boot.ci.type = "perc", level = 0.95)
write.csv(pe, file.path(out, "hs_boot_perc.csv"), row.names = FALSE)
pe <- parameterEstimates(fb, boot.ci.type = "bca.simple", level = 0.95)
write.csv(pe, file.path(out, "hs_boot_bca.csv"), row.names = FALSE)
# BCa with lavaan's regression estimate of the acceleration (needs R >= n); store the acceleration too
pe <- parameterEstimates(fb, boot.ci.type = "bca", level = 0.95)
write.csv(pe, file.path(out, "hs_boot_bcaacc.csv"), row.names = FALSE)
FREQ <- lavaan:::lav_utils_bootstrap_indices(R = 1000L, nobs = list(nrow(hs)), iseed = attr(draws, "seed"),
                                             return.freq = TRUE, merge.groups = TRUE)
err <- attr(draws, "error.idx")
if (length(err) > 0L) FREQ <- FREQ[-err, , drop = FALSE]
LM <- lm.fit(x = cbind(1, FREQ[, -1]), y = unclass(draws)[, seq_len(ncol(draws))])
LL <- rbind(0, unname(LM$coefficients)[-1, , drop = FALSE])
AA <- apply(LL, 2L, function(x) { L <- x - mean(x); sum(L^3) / (6 * sum(L^2)^1.5) })
write.csv(data.frame(par = colnames(draws), acceleration = AA), file.path(out, "hs_boot_acceleration.csv"),
          row.names = FALSE)
set.seed(2)
fpb <- sem(pd_model, data = pd, se = "bootstrap", bootstrap = 500)
write.csv(signif(lavInspect(fpb, "boot"), 12), file.path(out, "pd_boot_draws.csv"), row.names = FALSE)
write.csv(parameterEstimates(fpb, boot.ci.type = "perc"), file.path(out, "pd_boot_perc.csv"), row.names = FALSE)
write.csv(parameterEstimates(fpb, boot.ci.type = "bca.simple"), file.path(out, "pd_boot_bca.csv"), row.names = FALSE)
# free-parameter order of the draws' columns
write.csv(parTable(fpb), file.path(out, "pd_boot_partable.csv"), row.names = FALSE)
write.csv(parTable(fb), file.path(out, "hs_boot_partable.csv"), row.names = FALSE)

# 6. Monte Carlo power with simulateData(standardized=TRUE) + sem, small case
pop <- "f =~ 0.7*y1 + 0.7*y2 + 0.6*y3
g =~ 0.7*y4 + 0.6*y5 + 0.6*y6
g ~ 0.25*f"
ana <- "f =~ y1 + y2 + y3
g =~ y4 + y5 + y6
g ~ f"
set.seed(3)
rows <- list()
for (n in c(80, 160)) {
  res <- NULL
  for (r in 1:500) {
    d <- simulateData(pop, sample.nobs = n, standardized = TRUE)
    fr <- tryCatch(sem(ana, data = d), error = function(e) NULL)
    if (is.null(fr) || !lavInspect(fr, "converged")) next
    pe <- parameterEstimates(fr)
    res <- rbind(res, data.frame(rep = r, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
                                 pvalue = pe$pvalue))
  }
  agg <- aggregate(cbind(sig = pvalue < 0.05, est = est) ~ lhs + op + rhs, data = res, FUN = mean)
  agg$n <- n
  rows[[length(rows) + 1]] <- agg
}
write.csv(do.call(rbind, rows), file.path(out, "power_small.csv"), row.names = FALSE)
# the population covariance simulateData(standardized=TRUE) draws from (empirical=TRUE: exact moments)
d <- simulateData(pop, sample.nobs = 1000, standardized = TRUE, empirical = TRUE, seed = 9)
write.csv(cov(d) * 999 / 1000, file.path(out, "power_pop_cov.csv"))
write.csv(cov(d), file.path(out, "power_pop_cov_unbiased.csv"))
cat("done\n")
