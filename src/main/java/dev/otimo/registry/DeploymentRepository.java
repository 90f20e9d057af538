package dev.otimo.registry;

import org.springframework.data.jpa.repository.JpaRepository;

import java.util.List;
import java.util.Optional;

public interface DeploymentRepository extends JpaRepository<Deployment, Long> {

    Optional<Deployment> findByVersion(ModelVersion version);

    List<Deployment> findByVersionModel(Model model);
}
